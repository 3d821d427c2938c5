// `salesstream dashboard` in a real browser (headless Chromium): the original dashboard's figures,
// its charts, live updates pushed while the page is open, and a reconnect after a restart.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { catalogCogs, kpis, type PurchaseRecord } from '../batch/oracle.js';
import { FIXTURES, jsonLines, runCli, tempDir, writeTestConfig } from '../helpers/cli.js';
import { deletedAfterAll } from '../kafka/cleanup.js';
import { eventually, startServe, type Serve } from '../serve/server.js';
import { charts, connection, launchBrowser, liveTable, openPage, skipBrowser, tiles } from './browser.js';
import { dayFigures, readPurchases, tableTexts, tileTexts } from './oracle.js';

const SMALL = join(FIXTURES, 'sample_data_small.json');
const DAY = '2022-08-31';
/** Generous: a busy machine is slow, not stuck. No test asserts how fast anything is. */
const WAIT = { timeout: 60_000, interval: 200 };

const startDashboard = (cwd: string, args: string[] = [], global: string[] = []) => startServe(cwd, args, global, {}, 'dashboard');

async function produce(cwd: string, topic: string, records: PurchaseRecord[], global: string[] = []): Promise<void> {
  const result = await runCli([...global, 'produce', topic, '--raw'], { cwd, input: records.map((r) => JSON.stringify(r)).join('\n') + '\n' });
  expect(result.code, result.stderr).toBe(0);
}

/** Records of a product at an hour the fixture has none of, enough to reach the top 10. */
function newRecords(product: string, price: number, count: number, hour = '21', day = DAY): PurchaseRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    transaction_time: `${day} ${hour}:0${i % 10}:00.000000`, product_id: product, price, quantity: 3,
    is_member: false, member_discount: 0.0, add_supplements: false, supplement_price: 0.0, total_purchase: Math.round(price * 300) / 100,
  } as PurchaseRecord));
}

describe('salesstream dashboard figures', () => {
  it('compares the day with the day before up to the time of its newest purchase', async () => {
    const cwd = tempDir();
    // the recorded day, then the first purchases of the next day, at 12:00–12:04
    const next = newRecords('SC02', 5.99, 5, '12', '2022-09-01');
    expect((await runCli(['produce', 'demo.purchases', '--file', SMALL], { cwd })).code).toBe(0);
    await produce(cwd, 'demo.purchases', next);
    const serve = await startDashboard(cwd);
    try {
      // the default day is the latest with purchases (once the whole topic is read)
      const data = await eventually('both days read', async () => {
        const got = await (await fetch(`${serve.url}/api/dashboard`)).json();
        return got.tiles[0].value === next.length ? got : undefined;
      });
      expect(data.date).toBe('2022-09-01');
      expect(data.days).toEqual(['2022-08-31', '2022-09-01']);
      const purchases = [...readPurchases(SMALL), ...next];
      const until = next.map((p) => p.transaction_time.slice(11)).sort().at(-1)!;
      const before = kpis(purchases.filter((p) => p.transaction_time.startsWith('2022-08-31') && p.transaction_time.slice(11) <= until), catalogCogs(join(FIXTURES, '../../configuration/products.csv')));
      expect(before.purchases).toBeGreaterThan(0);
      expect(data.compared).toEqual({ date: '2022-08-31', until: until.slice(0, 8) });
      expect(Object.fromEntries(data.tiles.map((t: { key: string; previous: number }) => [t.key, t.previous]))).toEqual({
        purchases: before.purchases, drinks: before.drinks, sales: before.sales, gross_profit: before.gross_profit,
      });
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });
});

const kafkaTopics = deletedAfterAll(inject('kafkaBrokers'));

describe.skipIf(skipBrowser)('salesstream dashboard in a browser', { timeout: 180_000 }, () => {
  let browser: Browser;
  const running: Serve[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of running) await s.stop();
  });

  it("shows the original dashboard's figures for 2022-08-31, equal to batch kpis, with every chart drawn", async () => {
    const cwd = tempDir();
    expect((await runCli(['produce', 'demo.purchases', '--file', SMALL], { cwd })).code).toBe(0);
    const serve = await startDashboard(cwd, ['--date', DAY]);
    running.push(serve);
    const expected = dayFigures(readPurchases(SMALL), DAY);

    // the figures the page gets are batch's, on the same data
    const data = await (await fetch(`${serve.url}/api/dashboard?date=${DAY}`)).json();
    const kpis = jsonLines((await runCli(['batch', 'kpis', '--date', DAY, '--format', 'json'], { cwd })).stdout)[0];
    expect(Object.fromEntries(data.tiles.map((t: { key: string; value: number }) => [t.key, t.value]))).toEqual({
      purchases: kpis.purchases, drinks: kpis.drinks, sales: kpis.sales, gross_profit: kpis.gross_profit,
    });

    const { page, errors } = await openPage(browser, `${serve.url}/`);
    await expect.poll(() => tiles(page), WAIT).toEqual(tileTexts(expected.kpis));
    expect(await tiles(page)).toEqual(['290', '352', '$2,095', '$1,223']);
    expect(await page.locator('#title').textContent()).toBe(`Smoothie Cafe Daily Sales: ${DAY}`);
    // exact figures in the tooltips
    expect(await page.locator('[data-key="sales"] .value').getAttribute('title')).toBe('$2,094.74');

    const drawn = await charts(page);
    expect(drawn.hourly.map((s) => ({ name: s.name, type: s.type, data: s.data }))).toEqual(expected.hourly.map((s) => ({ ...s, type: 'bar' })));
    expect(drawn.hourly).toHaveLength(4);
    expect(drawn.hourly[0].data).toHaveLength(expected.hours.length);
    expect(drawn.categories).toHaveLength(1);
    expect(drawn.categories[0].names.map((name, i) => ({ name, value: drawn.categories[0].data[i] }))).toEqual(expected.categories);
    expect(drawn.cumulative).toHaveLength(1);
    expect(drawn.cumulative[0].data).toEqual(expected.cumulative);
    expect(drawn.fruit[0].names.map((name, i) => ({ name, value: drawn.fruit[0].data[i] }))).toEqual(expected.fruit);
    expect(await liveTable(page)).toEqual(tableTexts(expected));
    expect(await connection(page)).toBe('open');
    expect(errors).toEqual([]);

    // a phone's screen: the same figures, nothing wider than the screen
    const phone = await openPage(browser, `${serve.url}/?date=${DAY}`, { width: 390, height: 844 });
    await expect.poll(() => tiles(phone.page), WAIT).toEqual(tileTexts(expected.kpis));
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(phone.errors).toEqual([]);
  });

  it('pushes new records to the open page: tiles, charts and the live table, without a reload', async () => {
    const cwd = tempDir();
    expect((await runCli(['produce', 'demo.purchases', '--file', SMALL], { cwd })).code).toBe(0);
    const serve = await startDashboard(cwd);
    running.push(serve);
    const { page, errors } = await openPage(browser, `${serve.url}/`);
    const before = readPurchases(SMALL);
    await expect.poll(() => tiles(page), WAIT).toEqual(tileTexts(dayFigures(before, DAY).kpis));

    const added = newRecords('CS01', 4.99, 8);
    await produce(cwd, 'demo.purchases', added);
    const after = dayFigures([...before, ...added], DAY);
    await expect.poll(() => tiles(page), WAIT).toEqual(tileTexts(after.kpis));
    await expect.poll(() => liveTable(page), WAIT).toEqual(tableTexts(after));
    expect((await liveTable(page)).rows.map((r) => r[0])).toContain('CS01');
    // a new hour of the day: one more point in every series of the hourly charts
    await expect.poll(async () => (await charts(page)).cumulative[0].data, WAIT).toEqual(after.cumulative);
    expect((await charts(page)).hourly.map((s) => s.data.length)).toEqual(after.hourly.map(() => after.hours.length));
    expect(errors).toEqual([]);
  });

  it('reconnects to a stopped and restarted server by itself, and goes on updating', async () => {
    const cwd = tempDir();
    expect((await runCli(['produce', 'demo.purchases', '--file', SMALL], { cwd })).code).toBe(0);
    const first = await startDashboard(cwd);
    const { page } = await openPage(browser, `${first.url}/`);
    const before = readPurchases(SMALL);
    await expect.poll(() => tiles(page), WAIT).toEqual(tileTexts(dayFigures(before, DAY).kpis));
    await expect.poll(() => connection(page), WAIT).toBe('open');

    // Ctrl-C stops it cleanly; the page sees the connection go
    expect(await first.stop()).toBe(0);
    await expect.poll(() => connection(page), WAIT).toBe('closed');

    const added = newRecords('SF07', 5.99, 4, '20');
    await produce(cwd, 'demo.purchases', added);
    const second = await startDashboard(cwd, ['--port', new URL(first.url).port]);
    running.push(second);
    await expect.poll(() => connection(page), WAIT).toBe('open');
    await expect.poll(() => tiles(page), WAIT).toEqual(tileTexts(dayFigures([...before, ...added], DAY).kpis));
  });

  it('works on Kafka too: the figures for the day, then records pushed as they come', async ({ skip }) => {
    const brokers = inject('kafkaBrokers');
    if (!brokers) skip();
    const cwd = tempDir();
    const topics = kafkaTopics.topics('dashboard');
    writeTestConfig(cwd, topics);
    const kafka = ['--brokers', brokers];
    const before = readPurchases(SMALL);
    await produce(cwd, topics.purchases, before, kafka);
    const serve = await startDashboard(cwd, ['--date', DAY], kafka);
    running.push(serve);
    const { page, errors } = await openPage(browser, `${serve.url}/`);
    await expect.poll(() => tiles(page), WAIT).toEqual(['290', '352', '$2,095', '$1,223']);
    const added = newRecords('IS03', 5.49, 6);
    await produce(cwd, topics.purchases, added, kafka);
    const after = dayFigures([...before, ...added], DAY);
    await expect.poll(() => tiles(page), WAIT).toEqual(tileTexts(after.kpis));
    await expect.poll(() => liveTable(page), WAIT).toEqual(tableTexts(after));
    expect(errors).toEqual([]);
  });
});
