import type { Command } from 'commander';
import { loadCatalog } from '../config/load.js';
import { UsageError } from '../errors.js';
import { checkTopicName } from '../model/names.js';
import { RecordReports } from '../jobs/stream-reports.js';
import { formatCount } from '../render/output.js';
import type { ExtraRoutes } from '../serve/http.js';
import type { QueryLimits } from '../serve/query.js';
import type { LiveStore, TableLag } from '../serve/store.js';
import { configFor, interruptSignal, withTransport } from './context.js';
import { duration, oneOf, wholeNumber } from './values.js';

export interface ServeFlags {
  host: string;
  port: string;
  queryTimeout: string;
  maxRows: string;
  retention: string;
  totalsTopic: string;
  enrichedTopic: string;
  format?: string;
}

/** What `dashboard` adds to serve on the same port and in the same process. */
export interface ServeAddOn {
  /** Once the store is open: more routes for the server, and what to stop before it closes. */
  attach(store: LiveStore, limits: QueryLimits): { routes: ExtraRoutes; stop(): void };
  /** The first line on a terminal, naming the URL. */
  banner(url: string): string;
  /** Once listening. */
  listening?(url: string): void;
}

/** A status line this often (a terminal's is redrawn in place). */
const STATUS_MS = { pretty: 1000, json: 5000 } as const;

/** serve's flags (dashboard takes them too, with its own default port). */
export function withServeFlags(command: Command, defaultPort: string): Command {
  return command
    .option('--host <address>', 'address to listen on (loopback unless you say otherwise)', '127.0.0.1')
    .option('--port <n>', "port to listen on (Pinot's broker /query/sql and controller /tables API); 0 = any free port", defaultPort)
    .option('--query-timeout <duration>', 'stop a query running longer than this', '10s')
    .option('--max-rows <n>', 'return at most this many rows per query (the answer says partialResult: true when cut)', '100000')
    .option('--retention <n>', 'hold at most the newest N valid records per table; older ones are dropped', '2000000')
    .option('--totals-topic <topic>', 'the topic of the runningTotals table (stream totals --sink)', 'demo.running.totals')
    .option('--enriched-topic <topic>', 'the topic of the purchasesEnriched table (stream enrich --sink)', 'demo.purchases.enriched')
    .option('--format <format>', 'pretty (a status line redrawn on a terminal) or json (status lines); default pretty on a terminal');
}

export function registerServe(program: Command): void {
  withServeFlags(program.command('serve'), '8099')
    .description("real-time SQL over the live topics, speaking Pinot's query API (the original demo's Pinot tables)")
    .action((flags: ServeFlags, command: Command) => runServe(flags, command));
}

/** Keeps the live tables and serves Pinot's API on them (and an add-on's routes) until Ctrl-C. */
export async function runServe(flags: ServeFlags, command: Command, addOn?: ServeAddOn): Promise<void> {
  const config = configFor(command);
  const format = oneOf('--format', flags.format ?? (process.stdout.isTTY ? 'pretty' : 'json'), ['pretty', 'json'] as const);
  const port = wholeNumber('--port', flags.port);
  if (port > 65535) throw new UsageError(`--port ${flags.port} is not accepted: use 0 to 65535`);
  const limits = { timeoutMs: duration('--query-timeout', flags.queryTimeout), maxRows: wholeNumber('--max-rows', flags.maxRows, 1) };
  const retention = wholeNumber('--retention', flags.retention, 1);
  // DuckDB and the HTTP server load here, so the other commands start without them
  const topics = { ...config.topics, runningTotals: checkTopicName(flags.totalsTopic, '--totals-topic'), purchasesEnriched: checkTopicName(flags.enrichedTopic, '--enriched-topic') };
  const [{ LiveStore }, { servePinot }] = await Promise.all([import('../serve/store.js'), import('../serve/http.js')]);
  const signal = interruptSignal();
  const reports = new RecordReports((line) => process.stderr.write(`${line}\n`));
  await withTransport(config, async (transport) => {
    const store = await LiveStore.open({
      transport,
      topics,
      catalog: () => loadCatalog(config.catalogPath),
      retention,
      onMalformed: (bad, count) => {
        for (const b of bad) reports.report('malformed', `skipped malformed record ${b.topic}[${b.partition}]@${b.offset}`);
        if (count > bad.length) reports.report('malformed', `… and ${count - bad.length} more malformed records in ${bad[0].topic} (counted)`);
      },
    });
    let server;
    const attached = addOn?.attach(store, limits);
    try {
      server = await servePinot(store, limits, flags.host, port, attached?.routes).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') throw new UsageError(`${flags.host}:${port} is in use: give another --port`);
        if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EACCES') {
          throw new UsageError(`cannot listen on ${flags.host}:${port} (${err.code}): give an address of this machine with --host, and a port ≥ 1024 unless root`);
        }
        throw err;
      });
      const status = statusPrinter(format, addOn?.banner(server.url) ?? `salesstream serve: Pinot's API on ${server.url} (broker POST /query/sql, controller GET /tables); Ctrl-C stops`, server.url, store);
      addOn?.listening?.(server.url);
      const timer = setInterval(() => {
        reports.flush();
        void status.tick();
      }, STATUS_MS[format]);
      try {
        await store.run(signal);
      } finally {
        clearInterval(timer);
        reports.flush();
        status.stop();
      }
    } finally {
      attached?.stop();
      await server?.close();
      await store.close();
    }
  }, 'read');
}

interface StatusPrinter {
  tick(): Promise<void>;
  stop(): void;
}

/** The URL first, then the tables' figures: a line redrawn on a terminal, JSON lines otherwise. */
function statusPrinter(format: 'pretty' | 'json', banner: string, url: string, store: { lag(): Promise<TableLag[]>; queryCount: number }): StatusPrinter {
  let last = { at: Date.now(), read: 0, queries: 0 };
  let drawn = false;
  if (format === 'json') process.stdout.write(`${JSON.stringify({ url })}\n`);
  else process.stdout.write(`${banner}\n`);
  return {
    async tick() {
      const tables = await store.lag();
      const now = Date.now();
      const read = tables.reduce((sum, t) => sum + t.read, 0);
      const seconds = Math.max((now - last.at) / 1000, 0.001);
      const inPerSecond = Math.round((read - last.read) / seconds);
      const queriesPerSecond = Math.round(((store.queryCount - last.queries) / seconds) * 10) / 10;
      last = { at: now, read, queries: store.queryCount };
      const listed = tables.filter((t) => t.listed);
      if (format === 'json') {
        const byTable = Object.fromEntries(listed.map((t) => [t.table, { records: t.records, malformed: t.malformed, dropped: t.dropped, lag: t.lag }]));
        process.stdout.write(`${JSON.stringify({ tables: byTable, records_per_s: inPerSecond, lag: listed.reduce((s, t) => s + t.lag, 0), queries_per_s: queriesPerSecond })}\n`);
        return;
      }
      const line = [
        listed.map((t) => `${t.table} ${formatCount(t.records)}`).join(', '),
        `${formatCount(inPerSecond)} records/s in`,
        `lag ${formatCount(listed.reduce((s, t) => s + t.lag, 0))}`,
        `${queriesPerSecond} queries/s`,
      ].join(' · ');
      process.stdout.write(process.stdout.isTTY ? `\r${line.slice(0, Math.max((process.stdout.columns || 80) - 1, 20))}\x1b[K` : `${line}\n`);
      drawn = true;
    },
    stop() {
      if (drawn && process.stdout.isTTY) process.stdout.write('\n');
    },
  };
}
