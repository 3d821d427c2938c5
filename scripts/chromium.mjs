// Debian's headless Chromium through playwright-core: the dashboard's browser tests and
// `npm run screenshot` launch it the same way.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why Chromium cannot run here ('' when it can). */
export const chromiumMissing = existsSync(CHROMIUM) ? '' : `${CHROMIUM} is not installed (apt-get install -y chromium)`;

/** A fresh headless browser (playwright gives each launch a new, temporary profile). */
export function launchChromium() {
  if (chromiumMissing) throw new Error(chromiumMissing);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
