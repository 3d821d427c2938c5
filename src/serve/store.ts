// The live tables and the query engine over them, in one DuckDB instance held in memory: each
// table follows its topic (only what is new), and users' queries run beside the ingestion. Usable
// from any command in the process (serve's HTTP API, the dashboard).
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { catalogSelect } from '../batch/catalog.js';
import { lockDown } from '../batch/sandbox.js';
import { UsageError } from '../errors.js';
import type { CatalogProduct } from '../generator/catalog.js';
import type { Transport } from '../transport/transport.js';
import { LiveTable, type Malformed, type TableStatus } from './live-table.js';
import type { ScanFigures } from './pinot-api.js';
import { PINOT_MACROS } from './pinot-sql.js';
import { QueryPool, type QueryAnswer, type QueryLimits } from './query.js';
import { tableSpecs, type ServeTopics, type TableSpec } from './tables.js';

export interface LiveStoreOptions {
  transport: Transport;
  topics: ServeTopics;
  /** The catalog, for products while its topic holds nothing valid (as batch). */
  catalog: () => CatalogProduct[];
  /** Valid records held per table at most; older ones are dropped (see README: --retention). */
  retention: number;
  /** Connections for users' queries: how many run at once. */
  queryConnections?: number;
  onMalformed?: (bad: Malformed[], count: number) => void;
}

/** How often a topic that does not exist yet is looked for. */
const TOPIC_POLL_MS = 1000;
/** Records read but not yet visible before reading waits for the table to catch up. */
const MAX_BACKLOG = 200_000;

export interface TableLag extends TableStatus {
  /** Records in the topic not yet read. */
  lag: number;
}

/** Told the name of a table whose rows (or listing) changed, right after queries can see it. */
export type ChangeListener = (table: string) => void;

export class LiveStore {
  private queries = 0;
  private lookups: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly admin: DuckDBConnection,
    private readonly live: LiveTable[],
    private readonly pool: QueryPool,
    private readonly transport: Transport,
    private readonly listeners: Set<ChangeListener>,
  ) {}

  static async open(options: LiveStoreOptions): Promise<LiveStore> {
    // json is built in; nothing is ever fetched or loaded at run time
    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', allow_community_extensions: 'false',
    });
    const admin = await instance.connect();
    for (const macro of PINOT_MACROS) await admin.run(macro);
    const onMalformed = options.onMalformed ?? (() => undefined);
    const listeners = new Set<ChangeListener>();
    const live: LiveTable[] = [];
    for (const spec of tableSpecs(options.topics)) {
      const changed = () => {
        for (const listener of listeners) listener(spec.table);
      };
      const table = await LiveTable.create(await instance.connect(), spec, options.retention, onMalformed, changed);
      if (spec.always) await table.list(spec.table === 'products' ? catalogSelect(options.catalog()) : undefined);
      live.push(table);
    }
    // from here on the instance can touch no file, load nothing, and change no setting: records
    // come in through the appender, never by reading files
    await lockDown(admin);
    const pool = await QueryPool.open(instance, options.queryConnections ?? 4, { rollup: true });
    return new LiveStore(instance, admin, live, pool, options.transport, listeners);
  }

  /** Follows every table's topic until the signal aborts; rejects when a table cannot go on. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(this.live.map((table) => this.follow(table, signal)));
  }

  private async follow(table: LiveTable, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let ranges = await this.waitForTopic(table.spec.topic, signal);
      if (!ranges) return;
      if (!table.listed) await table.list();
      // a topic just created may not have all its partitions known yet: read once it holds records
      while (ranges.every((r) => r.end <= Math.max(r.start, table.positions.get(r.partition) ?? 0)) && !signal.aborted) {
        await sleep(TOPIC_POLL_MS, undefined, { signal }).catch(() => undefined);
        ranges = await this.waitForTopic(table.spec.topic, signal);
        if (!ranges) return;
      }
      // from where the table is (a retry goes on where the last read stopped)
      const from = new Map(ranges.map((r) => [r.partition, Math.max(r.start, table.positions.get(r.partition) ?? r.start)]));
      try {
        for await (const records of this.transport.read({ topic: table.spec.topic, from, signal })) {
          table.add(records);
          // a backlog is read as fast as it is made visible, not faster: memory stays bounded
          if (table.backlog > MAX_BACKLOG) await table.drained();
        }
      } catch (err) {
        // kafkajs can briefly call a topic unknown while another one is being looked for: read again
        if (!(err instanceof UsageError)) throw err;
        await sleep(TOPIC_POLL_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /**
   * The topic's partitions once it exists. One look at a time: kafkajs's admin client fails every
   * lookup made while it is looking for a topic that does not exist.
   */
  private async waitForTopic(topic: string, signal: AbortSignal) {
    while (!signal.aborted) {
      try {
        return await this.partitions(topic);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
      }
      await sleep(TOPIC_POLL_MS, undefined, { signal }).catch(() => undefined);
    }
    return undefined;
  }

  private partitions(topic: string) {
    const next = this.lookups.then(() => this.transport.partitions(topic));
    this.lookups = next.catch(() => undefined);
    return next;
  }

  /** The tables listed now (those whose topic exists, and the ones always listed). */
  tables(): TableSpec[] {
    return this.live.filter((t) => t.listed).map((t) => t.spec);
  }

  table(name: string): TableSpec | undefined {
    return this.tables().find((t) => t.table.toLowerCase() === name.toLowerCase());
  }

  status(): TableStatus[] {
    return this.live.map((t) => t.snapshot());
  }

  /** Each table's status with the records its topic holds beyond what was read. */
  async lag(): Promise<TableLag[]> {
    return Promise.all(this.live.map(async (t) => {
      const status = t.snapshot();
      if (!status.listed) return { ...status, lag: 0 };
      const ranges = await this.partitions(t.spec.topic).catch(() => []);
      const lag = ranges.reduce((sum, r) => sum + Math.max(0, r.end - (t.positions.get(r.partition) ?? r.start)), 0);
      return { ...status, lag };
    }));
  }

  /**
   * Calls the listener after every change queries can see (a flush with valid records, a table
   * listed), so what follows the tables is pushed on ingest instead of polling. Returns how to stop.
   * The listener runs inside the flush: it must only note the change, not wait on it.
   */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queries answered or refused so far. */
  get queryCount(): number {
    return this.queries;
  }

  /** Runs one read-only query over the live tables (query.ts: refused, timed out or capped as limits say). */
  async query(sql: string, limits: QueryLimits): Promise<QueryAnswer> {
    this.queries++;
    return this.pool.run(sql, limits);
  }

  /** What the tables a query names hold (Pinot's totalDocs and freshness fields). */
  figures(sql: string): ScanFigures {
    const named = this.live.filter((t) => t.listed && new RegExp(`(^|[^\\w$])"?${t.spec.table}"?($|[^\\w$])`, 'i').test(sql)).map((t) => t.snapshot());
    const newest = named.map((s) => s.newest).filter((n): n is number => n !== null);
    return { totalDocs: named.reduce((sum, s) => sum + s.records, 0), newest: newest.length ? Math.max(...newest) : null };
  }

  /** Resolves once everything read so far is visible (tests and the bench use it). */
  async drained(): Promise<void> {
    await Promise.all(this.live.map((t) => t.drained()));
  }

  /** Stops running queries, lets a running flush finish, and frees the instance. */
  async close(): Promise<void> {
    this.pool.close();
    await Promise.all(this.live.map((t) => t.close()));
    this.admin.closeSync();
    this.instance.closeSync();
  }
}
