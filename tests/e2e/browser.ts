/**
 * Launches the Debian Chromium through playwright-core for the browser tests (Playwright's own browser
 * downloads cannot work offline). Flags from docs: headless, no sandbox (root in CI), and no background
 * traffic, so the browser never talks to anything but the 127.0.0.1 server under test.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where CI (`apt-get install chromium`) and the dev machines have Chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when the browser tests can run here. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Starts one headless Chromium; callers share it across a test file and close it in afterAll. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
