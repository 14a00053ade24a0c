// The journeys people make through Bespoke, in a real browser. Set-up that
// is not the point of a journey (accounts, a plan) goes through the API;
// every step of the journey itself goes through the pages, and every page
// visited is checked with axe-core and photographed.
const { test, expect } = require('@playwright/test');
const {
  DEMO_PASSWORD, COMMISSIONER, api, holderWithPlan, sellerWithListing, register,
  checkPage, signIn, newPerson, isoDate, unique, pence, described,
} = require('./support');

async function availableToSpend(page) {
  return pence(await described(page, 'Available to spend').innerText());
}

/** Fills in the commission form for two hours a week over one week. */
async function askForTwoHoursAWeek(page, portionLabel) {
  if (portionLabel) {
    await page.getByLabel('Which budget pays').selectOption({ label: portionLabel });
  }
  await page.getByLabel(/How many/).fill('2');
  await page.getByLabel('How often').selectOption('week');
  await page.getByLabel('From').fill(isoDate(7));
  await page.getByLabel('Until').fill(isoDate(13));
}

test('a budget holder searches with a typo, compares two listings, buys one and sees the budget change', async ({ page, request }, testInfo) => {
  const { holder, planId } = await holderWithPlan(request, testInfo, { pounds: '2000.00' });

  await signIn(page, testInfo, holder.email, holder.password);
  await checkPage(page, testInfo, 'holder home');
  await page.goto(`/plans/${planId}`);
  await checkPage(page, testInfo, 'plan before buying');
  const before = await availableToSpend(page);
  expect(before).toBe(200000);

  await page.goto('/search');
  await checkPage(page, testInfo, 'search page');
  await page.getByLabel('What are you looking for?').fill('persnal asistant');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.locator('#results-heading')).toHaveText(/^\d+ results?$/);
  const found = Number((await page.locator('#results-heading').innerText()).split(' ')[0]);
  expect(found, 'the typo still finds personal assistants').toBeGreaterThanOrEqual(2);
  await expect(page.locator('.result-cards .caption').first()).toContainText('Personal assistant');
  await checkPage(page, testInfo, 'results for a typo');

  const firstTwo = page.locator('.result-cards > li').filter({ has: page.getByLabel(/^Compare/) });
  const titles = [];
  for (const index of [0, 1]) {
    const card = firstTwo.nth(index);
    titles.push(await card.locator('h3').innerText());
    await card.getByLabel(/^Compare/).check();
  }
  await page.getByRole('button', { name: 'Compare the ones you ticked' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Compare support');
  const columns = page.locator('table.compare thead th');
  await expect(columns).toHaveText(titles);
  await checkPage(page, testInfo, 'comparing two listings');

  await page.getByRole('link', { name: `Buy “${titles[0]}” from a plan` }).click();
  await checkPage(page, testInfo, 'commission form');
  await askForTwoHoursAWeek(page);
  await page.getByRole('button', { name: 'See the cost' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check the cost before you send the request');
  await checkPage(page, testInfo, 'cost preview');
  const total = pence(await page.locator('tr', { hasText: 'Total' }).locator('td').innerText());
  expect(total).toBeGreaterThan(0);
  const leftAfter = pence(await described(page, 'Left after this').innerText());
  expect(leftAfter).toBe(before - total);

  await page.getByRole('button', { name: 'Send the request' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(titles[0]);
  await expect(described(page, 'Status')).toContainText('Requested');
  await checkPage(page, testInfo, 'the request sent');

  await page.getByRole('link', { name: 'See the plan and its budget' }).click();
  await checkPage(page, testInfo, 'plan after buying');
  expect(await availableToSpend(page)).toBe(before - total);
  await expect(page.locator('section.portion')).toContainText(/Committed\s*£[\d,]+\.\d\d/);
});

test('a provider publishes a listing and accepts the request that comes in', async ({ page, request }, testInfo) => {
  const provider = await register(request, testInfo, 'provider', `Ardwick Companions ${Date.now()}`, { postcode: 'M12 6BH' });
  const title = unique(testInfo, 'Afternoon companionship');

  await signIn(page, testInfo, provider.email, provider.password);
  await page.goto('/my/listings/new');
  await checkPage(page, testInfo, 'new listing form');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Kind of support').selectOption('community_activity');
  await page.getByLabel('Description').fill('Company for a walk, a café or the library, in the afternoons.');
  await page.getByLabel('Price in pounds').fill('17.50');
  await page.getByLabel('For each').selectOption('hour');
  await page.getByLabel('Where you are based').fill('M12 6BH');
  await page.getByRole('checkbox', { name: 'Weekday daytime' }).check();
  await page.getByLabel('Taking new clients').check();
  await page.getByLabel('Published: people can find it').check();
  await page.getByRole('button', { name: 'Save listing' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByRole('status')).toBeVisible();
  await checkPage(page, testInfo, 'the listing published');
  const listingId = Number(new URL(page.url()).pathname.split('/')[2]);

  // A budget holder asks for it (through the API: the holder's side has its own journey).
  const { holder, planId } = await holderWithPlan(request, testInfo);
  const commission = await api(request, 'POST', `/plans/${planId}/commissions`, {
    listing_id: listingId, portion: 'direct_payment', quantity: '3', per: 'week',
    start_date: isoDate(7), end_date: isoDate(20),
  }, holder.token);

  await page.goto('/commissions');
  await checkPage(page, testInfo, 'requests for the provider');
  await page.getByRole('link', { name: title }).first().click();
  await expect(page).toHaveURL(new RegExp(`/commissions/${commission.id}$`));
  await checkPage(page, testInfo, 'the request');
  await page.getByRole('button', { name: 'Accept this request' }).click();
  await expect(described(page, 'Status')).toContainText('Accepted');
  await checkPage(page, testInfo, 'the request accepted');

  const stored = await api(request, 'GET', `/commissions/${commission.id}`, undefined, holder.token);
  expect(stored.status).toBe('accepted');
});

test('a broker with consent buys for a client, and the client sees the broker’s interest', async ({ browser, page, request }, testInfo) => {
  const { seller, listingId } = await sellerWithListing(request, testInfo, {
    role: 'provider', title: unique(testInfo, 'Saturday club'),
  });
  const broker = await register(request, testInfo, 'broker', `Broker ${unique(testInfo, 'b')}`, { postcode: 'M15 5RN' });
  await api(request, 'POST', '/broker/affiliations', { provider_id: seller.id, nature: 'contract' }, broker.token);
  const { holder, planId } = await holderWithPlan(request, testInfo);

  // The holder gives the broker access: their consent.
  await signIn(page, testInfo, holder.email, holder.password);
  await page.goto(`/plans/${planId}`);
  await page.getByLabel('Give a broker access to this plan').selectOption({ label: broker.name });
  await page.getByRole('button', { name: 'Give access' }).click();
  await expect(page.locator('#brokers ~ ul')).toContainText(broker.name);
  await checkPage(page, testInfo, 'broker given access');

  const brokerPage = await newPerson(browser, testInfo);
  await signIn(brokerPage, testInfo, broker.email, broker.password);
  await brokerPage.goto('/broker/clients');
  await expect(brokerPage.locator('main')).toContainText(holder.name);
  await checkPage(brokerPage, testInfo, 'broker clients');
  await brokerPage.goto(`/listings/${listingId}`);
  await checkPage(brokerPage, testInfo, 'broker reads the listing');
  await brokerPage.getByRole('link', { name: 'Buy this support from a plan' }).click();
  await askForTwoHoursAWeek(brokerPage);
  // Tied to the seller, the broker names other live listings of the kind that serve the client's area.
  const alternatives = [];
  for (const n of [1, 2, 3]) {
    const other = await sellerWithListing(request, testInfo, { role: 'provider', title: unique(testInfo, `Other club ${n}`) });
    alternatives.push(other.listingId);
  }
  await brokerPage.getByLabel('Alternatives you considered (one a line)').fill(
    alternatives.map((id) => `${new URL(brokerPage.url()).origin}/listings/${id}`).join('\n'));
  await checkPage(brokerPage, testInfo, 'broker commission form');
  await brokerPage.getByRole('button', { name: 'See the cost' }).click();
  await expect(brokerPage.getByRole('note')).toContainText('You have declared an interest in this seller (under contract)');
  await checkPage(brokerPage, testInfo, 'broker cost preview with declaration');
  await brokerPage.getByRole('button', { name: 'Send the request' }).click();
  await expect(described(brokerPage, 'Status')).toContainText('Requested');
  const commissionUrl = new URL(brokerPage.url()).pathname;
  await brokerPage.context().close();

  await page.goto('/commissions');
  await checkPage(page, testInfo, 'client commissions');
  await page.goto(commissionUrl);
  const interest = described(page, "The broker's interest in this seller");
  await expect(interest).toContainText('Under contract');
  await expect(interest).toContainText(`(listing ${alternatives[0]}); `);
  await expect(interest).toContainText(`(listing ${alternatives[2]})`);
  await expect(described(page, 'Bought by')).toContainText('The support broker acting for the budget holder');
  await checkPage(page, testInfo, 'client sees the declaration');
});

test('a commissioner approves a plan and reads each market report', async ({ page, request }, testInfo) => {
  const { holder, planId } = await holderWithPlan(request, testInfo, { approve: false });

  await signIn(page, testInfo, COMMISSIONER, DEMO_PASSWORD);
  await page.goto('/plans');
  await checkPage(page, testInfo, 'plans for the council');
  await page.goto(`/plans/${planId}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Support plan for ${holder.name}`);
  await checkPage(page, testInfo, 'a plan sent for approval');
  await page.getByRole('button', { name: 'Approve this plan' }).click();
  await expect(page.getByRole('status')).toBeVisible();
  await expect(described(page, 'Status')).toContainText('Approved');
  await checkPage(page, testInfo, 'the plan approved');

  await page.goto('/council/reports');
  await checkPage(page, testInfo, 'market reports');
  for (const [link, heading] of [
    ['Market gaps', 'Market gaps'],
    ['Fee levels', 'Fee levels'],
    ['Broker impartiality', 'Broker impartiality'],
    ['Outcomes', 'Outcomes'],
    ['Risk signals', 'Risk signals'],
    ['Support requests', 'What people asked for, and who answered'],
  ]) {
    await page.goto('/council/reports');
    await page.getByRole('link', { name: link, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    // A report may be empty on the demo market; it still explains itself.
    await expect(page.locator('main p').first()).toBeVisible();
    await checkPage(page, testInfo, `report: ${link}`);
  }

  const approved = await api(request, 'GET', `/plans/${planId}`, undefined, holder.token);
  expect(approved.status).toBe('approved');
});
