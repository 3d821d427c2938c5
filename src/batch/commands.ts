// batch top25, kpis and sql as functions that return data; the CLI only renders. Each opens its
// own DuckDB session, loads the views it needs (only the columns it reads), and queries them.
import { UsageError } from '../errors.js';
import type { CatalogProduct } from '../generator/catalog.js';
import { formatCount } from '../render/output.js';
import { catalogSelect } from './catalog.js';
import type { TopicFiles } from './files.js';
import { KPI_COLUMNS, PRODUCT_SALES, kpisSql, top25Sql, type KpiOptions } from './queries.js';
import type { Result } from './result.js';
import { INVENTORIES, PRODUCTS, PURCHASES, RUNNING_TOTALS, type ViewSchema } from './schema.js';
import { BatchSession, type LoadedView } from './session.js';
import type { BatchSource } from './sources.js';

export interface BatchTopics {
  purchases: string;
  products: string;
  inventories: string;
  runningTotals: string;
}

/** The sink of `stream totals` (DESIGN §2); the ini names no topic for it. */
export const RUNNING_TOTALS_TOPIC = 'demo.running.totals';

export interface BatchContext {
  source: BatchSource;
  topics: BatchTopics;
  /** The catalog, read only when the products topic has nothing valid. */
  catalog: () => CatalogProduct[];
  /** One line to standard error. */
  warn: (line: string) => void;
}

export type BatchAnswer = { kind: 'rows'; result: Result } | { kind: 'no-data'; message: string };

async function withSession<T>(work: (session: BatchSession) => Promise<T>): Promise<T> {
  const session = await BatchSession.open();
  try {
    return await work(session);
  } finally {
    session.close();
  }
}

async function load(
  session: BatchSession, ctx: BatchContext, schema: ViewSchema, topic: string, columns?: readonly string[],
  files?: TopicFiles,
): Promise<LoadedView> {
  return warnMalformed(ctx, await session.loadView(schema, topic, files ?? await ctx.source.topicFiles(topic), columns));
}

function warnMalformed(ctx: BatchContext, loaded: LoadedView): LoadedView {
  for (const line of loaded.reports) ctx.warn(line);
  if (loaded.malformed) ctx.warn(`skipped ${formatCount(loaded.malformed)} malformed records in ${loaded.topic}`);
  return loaded;
}

/** products: the latest valid record per product_id, or the catalog when the topic has none. */
async function loadProducts(session: BatchSession, ctx: BatchContext): Promise<void> {
  const loaded = await load(session, ctx, PRODUCTS, ctx.topics.products);
  if (loaded.records === 0) await session.defineView(PRODUCTS.view, catalogSelect(ctx.catalog()));
}

/**
 * The files of the topic a command is about. The rule for every batch command (and drain): a topic
 * that does not exist is a usage error (exit 2); one that exists but holds nothing valid is "no
 * data" (exit 0). The other views' topics are optional.
 */
async function requiredFiles(ctx: BatchContext, topic: string): Promise<TopicFiles> {
  const files = await ctx.source.topicFiles(topic);
  if (!files) throw new UsageError(ctx.source.missing(topic));
  return files;
}

function noData(ctx: BatchContext, loaded: LoadedView): BatchAnswer {
  return { kind: 'no-data', message: `no data: ${loaded.topic} holds no valid purchases in the ${ctx.source.description}` };
}

export async function batchTop25(ctx: BatchContext, limit: number): Promise<BatchAnswer> {
  return withSession(async (session) => {
    // top25 reads only sums per product: loaded as such, in one pass over the purchases
    const topic = ctx.topics.purchases;
    const purchases = warnMalformed(ctx, await session.loadSummary(PURCHASES, topic, await requiredFiles(ctx, topic), PRODUCT_SALES));
    if (purchases.records === 0) return noData(ctx, purchases);
    return { kind: 'rows', result: await session.query(top25Sql(limit)) };
  });
}

export async function batchKpis(ctx: BatchContext, options: KpiOptions): Promise<BatchAnswer> {
  return withSession(async (session) => {
    const purchases = await load(session, ctx, PURCHASES, ctx.topics.purchases, KPI_COLUMNS, await requiredFiles(ctx, ctx.topics.purchases));
    if (purchases.records === 0) return noData(ctx, purchases);
    await loadProducts(session, ctx);
    const result = await session.query(kpisSql(options));
    const purchasesColumn = result.columns.findIndex((c) => c.name === 'purchases');
    if (result.rows.every((row) => row[purchasesColumn] === 0)) {
      return { kind: 'no-data', message: `no data: ${ctx.topics.purchases} has no purchases on ${options.date} (UTC)` };
    }
    return { kind: 'rows', result };
  });
}

/** Any read-only query over purchases, products, inventories and (when its topic exists) running_totals. */
export async function batchSql(ctx: BatchContext, query: string): Promise<Result> {
  return withSession(async (session) => {
    await load(session, ctx, PURCHASES, ctx.topics.purchases, undefined, await requiredFiles(ctx, ctx.topics.purchases));
    await loadProducts(session, ctx);
    await load(session, ctx, INVENTORIES, ctx.topics.inventories);
    const totals = await ctx.source.topicFiles(ctx.topics.runningTotals);
    if (totals) await load(session, ctx, RUNNING_TOTALS, ctx.topics.runningTotals, undefined, totals);
    return session.userQuery(query);
  });
}
