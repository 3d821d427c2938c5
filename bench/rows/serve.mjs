// Issue 10, the Pinot row: `salesstream serve` (bench/run.mjs --only serve).
// - query latency, p50 and p99 over 20 runs after 2 warm-ups, through HTTP, with 1M and 10M
//   purchases held (--quick: ~150k): the original demo's Pinot queries; the daily dashboard's, as
//   `salesstream dashboard` runs them (src/dashboard/queries.ts) for the last whole day held; and
//   the same four figures over all of history (no goal: a harder variant). The demo's purchases
//   query is also timed through `batch sql` (which reads the files every time);
// - catch-up: records/s from a backlog (serve started on a full embedded log), and peak RSS holding it;
// - freshness: a writer in this process appends purchases at 1k and 10k records/s, each carrying its
//   write time (ms) as transaction_id; a poller asks serve for the newest one visible every ~20 ms:
//   freshness = the poll's start − that write time (how old the newest visible record is).
// Input: `salesstream generate --fast` into an embedded log under bench/.work/, once, reused.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, WORK, cleanEnv, median, vmHwmMB } from '../lib/context.mjs';

const DEMO_QUERIES = {
  'demo: products': 'SELECT COUNT(product_id) AS product_count, AVG(price) AS avg_price, AVG(cogs) AS avg_cogs, AVG(price) - AVG(cogs) AS avg_gross_profit FROM products',
  'demo: purchases by product': 'SELECT product_id, SUMPRECISION(quantity, 10, 2) AS quantity, SUMPRECISION(total_purchase, 10, 2) AS sales, AVG(total_purchase) AS avg_sale FROM purchases GROUP BY product_id ORDER BY sales DESC',
};
/** The dashboard's four figures over all of history: no date filter, so every purchase held counts. */
const ALL_HISTORY_QUERIES = {
  'all history: KPIs': 'SELECT count(*) AS purchases, sum(p.quantity) AS drinks, SUMPRECISION(p.total_purchase, 18, 2) AS sales, sum(p.quantity * (p.price - c.cogs)) AS gross_profit FROM purchases p LEFT JOIN products c USING (product_id)',
  'all history: hourly sales by category': "SELECT DATETRUNC('HOUR', p.transaction_time) AS hour, c.category, sum(p.total_purchase) AS sales FROM purchases p JOIN products c USING (product_id) GROUP BY 1, 2 ORDER BY 1, 2",
  'all history: category shares': 'SELECT c.category, sum(p.total_purchase) / (SELECT sum(total_purchase) FROM purchases) AS share FROM purchases p JOIN products c USING (product_id) GROUP BY 1 ORDER BY 2 DESC',
  'all history: cumulative sales': "SELECT hour, sum(sales) OVER (ORDER BY hour) AS cumulative FROM (SELECT DATETRUNC('HOUR', transaction_time) AS hour, sum(total_purchase) AS sales FROM purchases GROUP BY 1) ORDER BY hour",
};
/** The demo's purchases query in plain DuckDB SQL, for `batch sql`. */
const BATCH_PURCHASES = 'SELECT product_id, sum(quantity) AS quantity, sum(total_purchase) AS sales, avg(total_purchase) AS avg_sale FROM purchases GROUP BY product_id ORDER BY sales DESC';

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

async function ask(url, sql) {
  const res = await fetch(`${url}/query/sql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sql }) });
  const answer = await res.json();
  if (answer.exceptions?.length) throw new Error(`${sql}: ${answer.exceptions[0].message}`);
  return answer.resultTable.rows;
}

/** serve on a free port, its URL once it listens; stopped with Ctrl-C (SIGINT), killed at cleanup. */
async function startServe(ctx, dataDir, extra = []) {
  const child = spawn(ctx.node, [ctx.bin, '--data-dir', dataDir, 'serve', '--port', '0', '--format', 'json', ...extra], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  ctx.onCleanup(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const closed = new Promise((r) => child.on('close', (code) => r(code)));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /\{"url":"([^"]+)"\}/.exec(out);
      if (m) resolve(m[1]);
    });
    closed.then((code) => reject(new Error(`salesstream serve exited ${code}: ${err.slice(-400)}`)));
  });
  let hwm = 0;
  const poll = setInterval(() => (hwm = Math.max(hwm, vmHwmMB(child.pid) ?? 0)), 100);
  return {
    url,
    peakRssMB: () => Math.max(hwm, vmHwmMB(child.pid) ?? 0),
    async stop() {
      clearInterval(poll);
      child.kill('SIGINT');
      const code = await closed;
      if (code !== 0) throw new Error(`salesstream serve exited ${code} on Ctrl-C: ${err.slice(-400)}`);
    },
  };
}

/** An embedded log with `transactions` generated transactions, made once under bench/.work. */
async function dataset(ctx, transactions) {
  const dataDir = join(WORK, `serve-${transactions}`);
  const done = join(dataDir, 'complete');
  if (!existsSync(done)) {
    process.stderr.write(`bench: serve: generating ${fmt(transactions)} transactions into ${dataDir}\n`);
    const r = await ctx.salesstream(['--data-dir', dataDir, 'generate', '--fast', '--count', String(transactions), '--seed', '10', '--start-time', '2026-01-01T00:00:00Z'], { timeoutMs: 60 * 60_000 });
    if (r.code !== 0) throw new CommandError('salesstream generate', r);
    writeFileSync(done, '');
  }
  const { EmbeddedTransport } = await import(join(ctx.root, 'dist/transport/embedded/embedded.js'));
  const ranges = await new EmbeddedTransport(dataDir).partitions('demo.purchases');
  return { dataDir, purchases: ranges.reduce((s, r) => s + r.end - r.start, 0) };
}

/** Peak RSS of serve holding nothing (an empty log), to tell what the records cost. */
async function idleRss(ctx) {
  const serve = await startServe(ctx, ctx.dir('serve-idle'));
  await ask(serve.url, 'SELECT count(*) FROM purchases');
  const rss = serve.peakRssMB();
  await serve.stop();
  return rss;
}

async function held(ctx, transactions, idle) {
  const { dataDir, purchases } = await dataset(ctx, transactions);
  const started = Date.now();
  const serve = await startServe(ctx, dataDir, ['--retention', String(purchases + 1)]);
  const { url } = serve;
  // catch-up: until every purchase is visible
  for (;;) {
    const [[n]] = await ask(url, 'SELECT count(*) FROM purchases');
    if (n >= purchases) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const catchUpSeconds = (Date.now() - started) / 1000;
  const rss = serve.peakRssMB();
  const rows = [{
    what: `\`serve\` catch-up from a backlog of ${fmt(purchases)} purchases (embedded log), records/s`,
    figure: Math.round(purchases / catchUpSeconds), unit: 'records/s', reference: '—', ratio: null, goal: '—', met: null,
    note: `every purchase visible ${fmt(catchUpSeconds, 1)} s after start (start-up included); peak RSS ${fmt(rss ?? 0)} MB holding them (the products and inventories tables too)`,
  }, {
    what: `\`serve\` peak RSS holding ${fmt(purchases)} purchases`,
    figure: Math.round(rss ?? 0), unit: 'MB', reference: '—', ratio: null, goal: '—', met: null,
    note: `serve holding nothing: ${fmt(idle)} MB; so about ${fmt((((rss ?? 0) - idle) * 1024 * 1024) / purchases)} bytes per purchase held (peak, catch-up buffers included)`,
  }];
  const batchSeconds = [];
  for (let i = 0; i < 3; i++) {
    const r = await ctx.salesstream(['--data-dir', dataDir, 'batch', 'sql', BATCH_PURCHASES, '--format', 'json']);
    if (r.code !== 0) throw new CommandError('salesstream batch sql', r);
    batchSeconds.push(r.seconds);
  }
  // the daily dashboard's own SQL, for the last whole day held (the newest day is still filling)
  const [[lastDay]] = await ask(url, "SELECT strftime(CAST(max(transaction_time) AS DATE) - INTERVAL 1 DAY, '%Y-%m-%d') FROM purchases");
  const { dashboardQueries } = await import(join(ctx.root, 'dist/dashboard/queries.js'));
  const daily = dashboardQueries(lastDay);
  const dailyQueries = {
    [`daily dashboard (${lastDay}): KPI tiles`]: daily.tiles,
    [`daily dashboard (${lastDay}): hourly sales by category`]: daily.hourlyByCategory,
    [`daily dashboard (${lastDay}): category shares`]: daily.categories,
    [`daily dashboard (${lastDay}): cumulative sales`]: daily.hours,
  };
  const goalOf = (name) => (name.startsWith('all history') ? '—' : name === 'demo: purchases by product' ? 'p50 ≤ 50 ms at 10M; ≤ 0.1 × batch' : 'p50 ≤ 50 ms at 10M');
  for (const [name, sql] of Object.entries({ ...DEMO_QUERIES, ...dailyQueries, ...ALL_HISTORY_QUERIES })) {
    for (let i = 0; i < 2; i++) await ask(url, sql);
    const times = [];
    let answered;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      answered = await ask(url, sql);
      times.push(performance.now() - t);
    }
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    const isPurchases = name === 'demo: purchases by product';
    const batchMs = median(batchSeconds) * 1000;
    rows.push({
      what: `\`serve\` query latency p50, ${name}, ${fmt(purchases)} purchases held`,
      figure: Math.round(p50 * 10) / 10, unit: 'ms',
      reference: isPurchases ? '`batch sql`, the same query (reads the files), median of 3' : '—',
      referenceFigure: isPurchases ? Math.round(batchMs) : null,
      ratio: isPurchases ? p50 / batchMs : null,
      goal: goalOf(name),
      met: transactions < 5_000_000 || goalOf(name) === '—' ? null : p50 <= 50 && (!isPurchases || p50 <= batchMs / 10),
      note: `p99 ${fmt(p99, 1)} ms over 20 runs through HTTP after 2 warm-ups; ${fmt(answered.length)} rows`,
    });
  }
  await serve.stop();
  return rows;
}

async function freshness(ctx, rate) {
  const dataDir = ctx.dir(`serve-fresh-${rate}`);
  const { EmbeddedTransport } = await import(join(ctx.root, 'dist/transport/embedded/embedded.js'));
  const transport = new EmbeddedTransport(dataDir);
  await transport.createTopic('demo.purchases', 1);
  const serve = await startServe(ctx, dataDir);
  const { url } = serve;
  const writer = await transport.writer();
  const seconds = ctx.scale(20, 8);
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const record = (now) => ({ key: 'SF07', json: true, value: `{"transaction_time":"2026-01-01 08:00:00.000000","transaction_id":"${now}","product_id":"SF07","price":5.99,"quantity":1,"is_member":false,"member_discount":0.0,"add_supplements":false,"supplement_price":0.0,"total_purchase":5.99}` });
  let writing = true;
  let written = 0;
  const startedAt = Date.now();
  const write = (async () => {
    let next = Date.now();
    while (writing) {
      const now = Date.now();
      // catch up to the schedule, so the rate holds even when a tick runs late
      const due = Math.floor(((now - startedAt) * rate) / 1000) - written;
      if (due > 0) {
        await writer.send('demo.purchases', Array.from({ length: due }, () => record(now)));
        written += due;
      }
      next += tickMs;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
  })();
  const ages = [];
  const warmUp = startedAt + 2000;
  while (Date.now() - startedAt < seconds * 1000) {
    const asked = Date.now();
    const [[newest]] = await ask(url, 'SELECT max(CAST(transaction_id AS BIGINT)) FROM purchases');
    if (asked >= warmUp && newest !== null) ages.push(asked - Number(newest));
    await new Promise((r) => setTimeout(r, 20));
  }
  writing = false;
  await write;
  await writer.close();
  await serve.stop();
  const p50 = percentile(ages, 50);
  const p99 = percentile(ages, 99);
  return {
    what: `\`serve\` freshness at ${fmt(rate)} records/s: written → visible to a query, p99`,
    figure: p99, unit: 'ms', reference: '—', ratio: null, goal: 'p99 ≤ 1000 ms', met: p99 <= 1000,
    note: `p50 ${fmt(p50)} ms; ${fmt(ages.length)} polls over ${seconds - 2} s, ${fmt(written)} records written (${fmt(written / ((Date.now() - startedAt) / 1000))} records/s)`,
  };
}

export async function measure(ctx) {
  const rows = [];
  for (const rate of [1_000, 10_000]) rows.push(await freshness(ctx, rate));
  const idle = await idleRss(ctx);
  for (const transactions of ctx.quick ? [100_000] : [700_000, 7_000_000]) rows.push(...(await held(ctx, transactions, idle)));
  return rows;
}
