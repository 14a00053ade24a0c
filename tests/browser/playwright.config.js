// Bespoke's journeys in a real browser: Debian's Chromium driven by
// Playwright, against a server started here on a fresh demo database.
// Every journey runs twice: with JavaScript, and with JavaScript turned off.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { defineConfig } = require('@playwright/test');

const port = process.env.BESPOKE_TEST_PORT || '18093';
const root = path.resolve(__dirname, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
const binary = process.env.BESPOKE_BIN || path.join(targetDir, 'debug', 'bespoke');
// A fresh data directory each run, so the demo market starts the same.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bespoke-browser-'));

const chromium = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  // This machine's network is closed: without these Chromium keeps trying
  // to reach Google's services. Playwright gives it a fresh profile itself.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

module.exports = defineConfig({
  testDir: '.',
  testMatch: '*.spec.js',
  // One server, two cores: journeys run one after another.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: chromium,
    // The pages send a strict Content-Security-Policy; axe is injected by the test.
    bypassCSP: true,
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'with-javascript', use: { javaScriptEnabled: true } },
    { name: 'without-javascript', use: { javaScriptEnabled: false } },
  ],
  webServer: {
    command: `"${binary}" serve`,
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      BESPOKE_DATA_DIR: dataDir,
      BESPOKE_BIND: `127.0.0.1:${port}`,
      BESPOKE_DEMO: '1',
      RUST_LOG: 'warn',
    },
  },
});
