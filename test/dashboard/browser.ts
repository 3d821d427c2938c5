// Headless Chromium (Debian's `chromium` package) driven by playwright-core, for the dashboard's
// browser tests and `npm run screenshot`. Without it the browser tests are skipped with a loud
// notice, except under CI=true, where they run (and fail).
import type { Browser, Page } from 'playwright-core';
// a plain module, shared with scripts/screenshot.mjs
import { chromiumMissing, launchChromium } from '../../scripts/chromium.mjs';

/** Skip the browser tests: only outside CI. */
export const skipBrowser = chromiumMissing !== '' && process.env.CI !== 'true';

if (skipBrowser) {
  process.stderr.write(`\n${'!'.repeat(78)}\n!! SKIPPING THE DASHBOARD BROWSER TESTS: ${chromiumMissing}\n${'!'.repeat(78)}\n\n`);
}

export const launchBrowser = (): Promise<Browser> => launchChromium();

export interface OpenPage {
  page: Page;
  /** Console errors and uncaught exceptions so far. */
  errors: string[];
}

export async function openPage(browser: Browser, url: string, viewport = { width: 1400, height: 1000 }): Promise<OpenPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors };
}

/** The four tiles as the page shows them, in order. */
export function tiles(page: Page): Promise<string[]> {
  return page.locator('#tiles .tile .value').allTextContents();
}

export interface ChartSeries {
  name: string;
  type: string;
  /** Each point's value (a pie slice's value). */
  data: number[];
  /** A pie's slice names. */
  names: string[];
}

/** Each chart's series, read from its ECharts instance. */
export function charts(page: Page): Promise<Record<string, ChartSeries[]>> {
  return page.evaluate(() => {
    const echarts = (globalThis as any).echarts;
    return Object.fromEntries(['hourly', 'categories', 'cumulative', 'fruit'].map((id) => {
      const option = echarts.getInstanceByDom(document.getElementById(id)).getOption();
      return [id, option.series.map((s: any) => ({
        name: s.name,
        type: s.type,
        data: s.data.map((d: any) => (typeof d === 'object' && d !== null ? d.value : d)),
        names: s.data.map((d: any) => (typeof d === 'object' && d !== null ? d.name : '')),
      }))];
    }));
  });
}

/** The live table: [product, drinks, sales] per row, then the totals row. */
export async function liveTable(page: Page): Promise<{ rows: string[][]; totals: string[] }> {
  return page.evaluate(() => ({
    rows: [...document.querySelectorAll('#top tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent ?? '')),
    totals: [...document.querySelectorAll('#top tfoot th')].map((th) => th.textContent ?? '').slice(1),
  }));
}

export const connection = (page: Page) => page.locator('#connection').getAttribute('data-state');
