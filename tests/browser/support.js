// What every journey needs: people set up through the API, signing in
// through the pages, and a check of each page visited (axe-core, no serious
// or critical violations) with a screenshot kept as test output.
const fs = require('fs');
const { expect } = require('@playwright/test');

const DEMO_PASSWORD = 'demo-bespoke-2026';
const COMMISSIONER = 'priya.shah@example.org';
const COUNCIL = 'E08000003'; // Manchester, the demo council
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let counter = 0;
/** A name no earlier run has used, for emails and titles. */
function unique(testInfo, word) {
  counter += 1;
  return `${word}-${testInfo.project.name}-${Date.now()}-${counter}`;
}

function isoDate(daysFromToday) {
  const day = new Date(Date.now() + daysFromToday * 86_400_000);
  return day.toISOString().slice(0, 10);
}

/** Calls the JSON API and fails the test with the answer when it is not 2xx. */
async function api(request, method, path, body, token) {
  const response = await request.fetch(`/api/v1${path}`, {
    method,
    data: body,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  expect(response.ok(), `${method} ${path} answered ${response.status()}: ${text}`).toBeTruthy();
  return text ? JSON.parse(text) : null;
}

async function tokenFor(request, email, password) {
  return (await api(request, 'POST', '/sessions', { email, password })).token;
}

/** A new account through the API; returns its id, email and password. */
async function register(request, testInfo, role, name, extra = {}) {
  const email = `${unique(testInfo, role)}@example.org`;
  const password = `a long enough password ${Date.now()}`;
  const account = await api(request, 'POST', '/accounts', {
    email, password, name, role, ...extra,
  });
  return { id: account.id, email, password, name, token: await tokenFor(request, email, password) };
}

/** A budget holder with an approved plan holding `pounds` as a direct payment. */
async function holderWithPlan(request, testInfo, { pounds = '2000.00', approve = true } = {}) {
  const holder = await register(request, testInfo, 'budget_holder', 'Ruth Adeyemi', {
    council: COUNCIL, postcode: 'M14 5AB',
  });
  const officer = await tokenFor(request, COMMISSIONER, DEMO_PASSWORD);
  const plan = await api(request, 'POST', '/plans', {
    holder_id: holder.id,
    period_start: isoDate(0),
    period_end: isoDate(364),
    budget: pounds,
    portions: [{ mode: 'direct_payment', amount: pounds }],
  }, officer);
  await api(request, 'PATCH', `/plans/${plan.id}`, {
    outcomes: [{ title: 'Get out and about twice a week', domain: 'community_life' }],
  }, holder.token);
  await api(request, 'POST', `/plans/${plan.id}/submit`, {}, holder.token);
  if (approve) {
    await api(request, 'POST', `/plans/${plan.id}/approve`, {}, officer);
  }
  return { holder, planId: plan.id };
}

/** A published listing of a new personal assistant's, through the API. */
async function sellerWithListing(request, testInfo, { role = 'personal_assistant', title, price = '15.00' }) {
  const seller = await register(request, testInfo, role, `Seller ${unique(testInfo, 's')}`, { postcode: 'M14 7HR' });
  const listing = await api(request, 'POST', '/listings', {
    title,
    description: 'Help with getting out, shopping and appointments.',
    category: role === 'personal_assistant' ? 'personal_assistant' : 'community_activity',
    price: { amount: price, unit: 'hour' },
    postcode: 'M14 7HR',
    areas: ['M14'],
    availability: ['weekday_day'],
  }, seller.token);
  return { seller, listingId: listing.id };
}

/**
 * The page to run axe-core in. With JavaScript on, the page itself. With
 * JavaScript off nothing can run in the page, so its DOM is read through the
 * DevTools protocol and rendered, with the same stylesheet, in a page of a
 * JavaScript-enabled context: axe then sees the same markup and styles.
 */
const inspectors = new WeakMap();
async function axeTarget(page, testInfo) {
  if (testInfo.project.use.javaScriptEnabled !== false) {
    return page;
  }
  const session = await page.context().newCDPSession(page);
  const { root } = await session.send('DOM.getDocument', { depth: 0 });
  const { outerHTML } = await session.send('DOM.getOuterHTML', { nodeId: root.nodeId });
  await session.detach();
  const browser = page.context().browser();
  let inspector = inspectors.get(browser);
  if (!inspector) {
    const context = await browser.newContext({ javaScriptEnabled: true, bypassCSP: true });
    inspector = await context.newPage();
    inspectors.set(browser, inspector);
  }
  const base = `<base href="${new URL(page.url()).origin}/">`;
  await inspector.setContent(outerHTML.replace(/<head>/i, `<head>${base}`), { waitUntil: 'load' });
  return inspector;
}

/** Each journey numbers its own screenshots, in the order taken. */
const steps = new WeakMap();

/** Checks the page with axe-core and keeps a screenshot named after the step. */
async function checkPage(page, testInfo, step) {
  await expect(page.locator('h1')).toHaveCount(1);
  const target = await axeTarget(page, testInfo);
  const results = await target.evaluate(async (source) => {
    if (!window.axe) {
      // Indirect eval: axe defines itself globally.
      (0, eval)(source);
    }
    return window.axe.run(document, { resultTypes: ['violations'] });
  }, axeSource);
  const serious = results.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  const problems = serious.map((v) => `${v.impact}: ${v.id} – ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  const stepNumber = (steps.get(testInfo) || 0) + 1;
  steps.set(testInfo, stepNumber);
  const file = `${String(stepNumber).padStart(2, '0')}-${step.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`;
  await page.screenshot({ path: testInfo.outputPath(file), fullPage: true });
  expect(problems, `accessibility of "${step}" (${page.url()})`).toEqual([]);
}

/** Signs in through the sign-in page, as a person would. */
async function signIn(page, testInfo, email, password) {
  await page.goto('/sign-in');
  await checkPage(page, testInfo, 'sign in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: /sign out/i })).toBeVisible();
}

/** A new browser context for another person, with this run's settings. */
async function newPerson(browser, testInfo) {
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
    bypassCSP: true,
  });
  return context.newPage();
}

/** The value beside a term in a summary list (`<dt>` then `<dd>`). */
function described(page, term) {
  return page.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd');
}

/** "£1,234.50" as pence. */
function pence(text) {
  const match = text.match(/£([\d,]+)\.(\d\d)/);
  expect(match, `a sum of money in "${text}"`).not.toBeNull();
  return Number(match[1].replace(/,/g, '')) * 100 + Number(match[2]);
}

module.exports = {
  DEMO_PASSWORD, COMMISSIONER, api, tokenFor, register, holderWithPlan, sellerWithListing,
  checkPage, signIn, newPerson, isoDate, unique, pence, described,
};
