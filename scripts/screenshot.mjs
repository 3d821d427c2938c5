// npm run screenshot: docs/dashboard.png, the dashboard as the README shows it. Two days of a
// seeded stream (the second one under way, so the tiles' arrows compare it with the same hours of
// the day before) on the embedded log in a temporary folder, `salesstream dashboard` on it, and
// headless Chromium.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium } from './chromium.mjs';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin/salesstream');
const out = join(root, 'docs/dashboard.png');
const dir = mkdtempSync(join(tmpdir(), 'salesstream-screenshot-'));

const generated = spawnSync(process.execPath, [bin, 'generate', '--fast', '--seed', '2022', '--start-time', '2022-08-30T00:00:00Z', '--count', '40000'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
if (generated.status !== 0) throw new Error('salesstream generate failed');

const server = spawn(process.execPath, [bin, 'dashboard', '--port', '0', '--format', 'json'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
let browser;
try {
  const url = await new Promise((done, fail) => {
    let text = '';
    server.stdout.on('data', (d) => {
      text += d;
      const line = text.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) done(JSON.parse(line).url);
    });
    server.on('close', (code) => fail(new Error(`salesstream dashboard exited ${code}`)));
  });
  // the tables have read the whole topic: the count of purchases stays the same for 2 s
  const count = async () => (await (await fetch(`${url}/query/sql`, { method: 'POST', body: JSON.stringify({ sql: 'SELECT count(*) FROM purchases' }) })).json()).resultTable.rows[0][0];
  for (let last = -1, n = await count(); n === 0 || n !== last; last = n, n = await count()) await new Promise((r) => setTimeout(r, 2000));
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`${url}/`);
  // every tile has a figure, the live table its rows, and the charts have finished drawing
  await page.waitForFunction(() => document.querySelectorAll('#top tbody tr').length === 10 && document.querySelector('#connection').dataset.state === 'open', null, { timeout: 120_000 });
  await page.waitForTimeout(1500);
  mkdirSync(join(root, 'docs'), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser?.close();
  server.kill('SIGINT');
  rmSync(dir, { recursive: true, force: true });
}
