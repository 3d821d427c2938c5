import { SalesstreamError } from '../errors.js';
import type { Purchase } from '../model/purchase.js';
import { formatTimestamp } from '../model/timestamp.js';
import type { RunningTotalMessage } from '../model/messages.js';
import { OwnedPartitions } from './owned-partitions.js';

/** One product's running totals (DESIGN §2 demo.running.totals), money in cents. */
export interface ProductTotals {
  transactions: number;
  quantities: number;
  salesCents: number;
  /** The latest transaction_time counted, µs. */
  eventTime: number;
}

export function addPurchase(t: ProductTotals | undefined, p: Purchase): ProductTotals {
  if (!t) return { transactions: 1, quantities: p.quantity, salesCents: p.totalCents, eventTime: p.eventTime };
  return { transactions: t.transactions + 1, quantities: t.quantities + p.quantity, salesCents: t.salesCents + p.totalCents, eventTime: Math.max(t.eventTime, p.eventTime) };
}

export function sumTotals(a: ProductTotals | undefined, b: ProductTotals | undefined): ProductTotals | undefined {
  if (!a) return b;
  if (!b) return a;
  return { transactions: a.transactions + b.transactions, quantities: a.quantities + b.quantities, salesCents: a.salesCents + b.salesCents, eventTime: Math.max(a.eventTime, b.eventTime) };
}

const sameTotals = (a: ProductTotals | undefined, b: ProductTotals | undefined) =>
  a === b || (!!a && !!b && a.transactions === b.transactions && a.quantities === b.quantities && a.salesCents === b.salesCents && a.eventTime === b.eventTime);

/** The sink message, in the Kafka Streams demo's shape (DESIGN §2). */
export function runningTotalMessage(productId: string, t: ProductTotals): RunningTotalMessage {
  return { event_time: formatTimestamp(t.eventTime), product_id: productId, transactions: t.transactions, quantities: t.quantities, sales: t.salesCents / 100 };
}

const exact = (t: ProductTotals) => [t.transactions, t.quantities, t.salesCents, t.eventTime].every(Number.isSafeInteger);

/**
 * State-store encoding of one partition's totals for a product: exact integers only. Totals that
 * left them (purchase.ts's LIMITS make that take ~10^8 extreme records) are refused here, before
 * they are committed, rather than found unreadable at the next start.
 */
export function encodeTotals(productId: string, t: ProductTotals): string {
  if (!exact(t)) throw new SalesstreamError(`the running totals of ${JSON.stringify(productId)} are beyond exact integers (${t.quantities} drinks, ${t.salesCents} cents); not committing them`);
  return JSON.stringify({ transactions: t.transactions, quantities: t.quantities, sales_cents: t.salesCents, event_time_us: t.eventTime });
}

/**
 * Committed state back: every product's totals, or an error naming what does not load. Never a
 * silent reset: totals dropped here would restart from zero while the offsets move on.
 */
export function restoreTotals(state: Map<string, string>, where: string): Map<string, ProductTotals> {
  const restored = new Map<string, ProductTotals>();
  for (const [productId, text] of state) {
    const t = decodeTotals(text);
    if (!t) throw new SalesstreamError(`the committed totals of ${JSON.stringify(productId)} in ${where} cannot be read (${text.slice(0, 120)}); refusing to start over from zero`);
    restored.set(productId, t);
  }
  return restored;
}

export function decodeTotals(text: string): ProductTotals | undefined {
  try {
    const v = JSON.parse(text);
    const t: ProductTotals = { transactions: v.transactions, quantities: v.quantities, salesCents: v.sales_cents, eventTime: v.event_time_us };
    if (exact(t)) return t;
  } catch {
    // fall through: not state this code wrote
  }
  return undefined;
}

interface OwnedPartition {
  /** Live totals of this partition's records, including those not committed yet. */
  live: Map<string, ProductTotals>;
  /** Products changed since their last commit, with a change counter to tell later changes. */
  dirty: Map<string, number>;
  next: number;
  committedNext: number | undefined;
}

/** A snapshot of one partition's uncommitted work, to make durable in one atomic step. */
export interface TotalsCommitPlan {
  partition: number;
  next: number;
  /** This partition's new totals for the products it changed: its state changes. */
  state: [productId: string, totals: ProductTotals][];
  /** Totals over every partition for the products to write to the sink. */
  sink: [productId: string, totals: ProductTotals][];
  dirtySeen: Map<string, number>;
  reconcileSeen: Map<string, number>;
}

/**
 * Running totals per product, kept per input partition so each partition's state can be
 * committed with that partition's input offset (exactly-once, DESIGN §4) and moved between
 * instances. `view` holds the committed totals of every partition (our own commits and, with
 * several instances, the others' as read from the changelog); the sink value of a product is the
 * sum over partitions. A product whose total another instance may have written from an older
 * view is marked for reconciliation and written again. A partition given up (disown) keeps its
 * committed totals in the view.
 */
export class PartitionedTotals extends OwnedPartitions<OwnedPartition> {
  private readonly view = new Map<number, Map<string, ProductTotals>>();
  private readonly reconcile = new Map<string, number>();
  private changes = 0;

  /** Takes a partition with its committed state; every known total is written again (another owner may have left a stale one). */
  own(partition: number, next: number, state: Map<string, ProductTotals>, committed: boolean): void {
    this.view.set(partition, new Map(state));
    this.owned.set(partition, { live: new Map(state), dirty: new Map(), next, committedNext: committed ? next : undefined });
    this.reconcileAll();
  }

  /** A purchase at `offset` of an owned partition. */
  add(partition: number, offset: number, purchase: Purchase): void {
    const p = this.owned.get(partition);
    if (!p) return;
    p.live.set(purchase.productId, addPurchase(p.live.get(purchase.productId), purchase));
    p.dirty.set(purchase.productId, ++this.changes);
    p.next = offset + 1;
  }

  /** Committed totals of a partition owned elsewhere; true when they changed. */
  observe(partition: number, productId: string, totals: ProductTotals): boolean {
    if (this.owned.has(partition)) return false;
    let v = this.view.get(partition);
    if (!v) this.view.set(partition, (v = new Map()));
    if (sameTotals(v.get(productId), totals)) return false;
    v.set(productId, totals);
    this.reconcile.set(productId, ++this.changes);
    return true;
  }

  reconcileAll(): void {
    for (const productId of this.products()) this.reconcile.set(productId, ++this.changes);
  }

  /** Every product known in any partition. */
  products(): Set<string> {
    const all = new Set<string>();
    for (const v of this.view.values()) for (const k of v.keys()) all.add(k);
    for (const p of this.owned.values()) for (const k of p.live.keys()) all.add(k);
    return all;
  }

  /**
   * The work to commit for a partition, or undefined when there is none. With `reconcile`, the
   * products marked for reconciliation are written to the sink too. Sink totals add this
   * partition's new state to the other partitions' committed state: never uncommitted work of
   * another partition.
   */
  prepare(partition: number, reconcile: boolean, extraOutputs = false): TotalsCommitPlan | undefined {
    const p = this.owned.get(partition);
    if (!p) return undefined;
    const due = p.dirty.size > 0 || p.next !== p.committedNext || extraOutputs || (reconcile && this.reconcile.size > 0);
    if (!due) return undefined;
    const state: [string, ProductTotals][] = [...p.dirty.keys()].map((k) => [k, p.live.get(k)!]);
    const sinkProducts = new Set(p.dirty.keys());
    if (reconcile) for (const k of this.reconcile.keys()) sinkProducts.add(k);
    const sink: [string, ProductTotals][] = [];
    for (const productId of [...sinkProducts].sort()) {
      let total = p.live.get(productId);
      for (const [q, v] of this.view) if (q !== partition) total = sumTotals(total, v.get(productId));
      if (total) sink.push([productId, total]);
    }
    return { partition, next: p.next, state, sink, dirtySeen: new Map(p.dirty), reconcileSeen: reconcile ? new Map(this.reconcile) : new Map() };
  }

  /** The plan is durable: it becomes committed state. */
  committed(plan: TotalsCommitPlan): void {
    let v = this.view.get(plan.partition);
    if (!v) this.view.set(plan.partition, (v = new Map()));
    for (const [k, t] of plan.state) v.set(k, t);
    for (const [k, seq] of plan.reconcileSeen) if (this.reconcile.get(k) === seq) this.reconcile.delete(k);
    const p = this.owned.get(plan.partition);
    if (!p) return;
    for (const [k, seq] of plan.dirtySeen) if (p.dirty.get(k) === seq) p.dirty.delete(k);
    p.committedNext = plan.next;
  }

  /** Totals over all partitions as this instance sees them now (own live work included), for display. */
  current(): Map<string, ProductTotals> {
    const all = new Map<string, ProductTotals>();
    for (const [q, v] of this.view) {
      if (this.owned.has(q)) continue;
      for (const [k, t] of v) all.set(k, sumTotals(all.get(k), t)!);
    }
    for (const p of this.owned.values()) for (const [k, t] of p.live) all.set(k, sumTotals(all.get(k), t)!);
    return all;
  }
}
