// The event-time temporal join of purchases with the catalog (issue 9, DESIGN §4): each purchase
// takes the latest version of its product whose event_time ≤ its transaction_time, as Flink SQL's
// `FOR SYSTEM_TIME AS OF` and Kafka Streams' versioned tables do. Pure: time is passed in.
import type { JoinPurchase, ProductVersion } from './temporal-join-records.js';
import { versionContent } from './temporal-join-records.js';
import { OwnedPartitions } from './owned-partitions.js';

interface StoredVersion {
  version: ProductVersion;
  content: string;
}

/**
 * The catalog as a changelog keyed by product_id: every record is a version valid from its
 * event time. A record repeating a known version (same product, time and content) changes
 * nothing; one with a known product and time but other content replaces that version.
 */
export class VersionedCatalog {
  private readonly products = new Map<string, StoredVersion[]>();
  /** Every version accepted, in order (a replaced one again): what a checkpoint has to keep. */
  readonly log: ProductVersion[] = [];
  private latest = -Infinity;

  /** Adds a version; false when the catalog already said exactly this. */
  add(v: ProductVersion): boolean {
    if (v.eventTime > this.latest) this.latest = v.eventTime;
    let versions = this.products.get(v.productId);
    if (!versions) this.products.set(v.productId, (versions = []));
    const content = versionContent(v);
    const i = upperBound(versions, v.eventTime);
    const same = i > 0 && versions[i - 1].version.eventTime === v.eventTime ? versions[i - 1] : undefined;
    if (same) {
      if (same.content === content) return false;
      same.version = v;
      same.content = content;
    } else {
      versions.splice(i, 0, { version: v, content });
    }
    this.log.push(v);
    return true;
  }

  /** The version of a product valid at event time t: the latest with eventTime ≤ t. */
  at(productId: string, t: number): ProductVersion | undefined {
    const versions = this.products.get(productId);
    if (!versions) return undefined;
    const i = upperBound(versions, t);
    return i > 0 ? versions[i - 1].version : undefined;
  }

  /** The catalog's watermark: its latest event time less the allowed delay. */
  watermark(delay: number): number {
    return this.latest - delay;
  }

  get versions(): number {
    return this.log.length;
  }
}

/** Index of the first version with eventTime > t. */
function upperBound(versions: StoredVersion[], t: number): number {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (versions[mid].version.eventTime <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface JoinOptions {
  /** Allowed lateness of catalog versions, µs: the catalog's watermark is its latest event time less this. */
  delay: number;
  /** How long a purchase whose product has no version yet waits for one, ms of processing time. */
  maxWait: number;
}

/** A purchase read and not decided yet. */
interface Entry {
  offset: number;
  key: string | null;
  /** The record's text, as kept in the state while it waits. */
  text: string;
  purchase: JoinPurchase;
  /** Processing time (ms) it was read, or restored. */
  arrivedAt: number;
  /** Its waiting is in the committed state. */
  persisted: boolean;
}

interface OwnedPartition {
  /** Purchases read and not decided, in offset order. */
  entries: Entry[];
  /** The next offset to read. */
  next: number;
  committedNext: number | undefined;
  /** Records before this offset are committed (or were, when restored). */
  settled: number;
  /** Catalog log entries up to here are in this partition's committed state (or were already). */
  catalogIndex: number;
  /** The version texts in this partition's committed state, by state key. */
  persistedVersions: Map<string, string>;
}

/** A decided purchase: joined with `version`, or unmatched when it is undefined. */
export interface Decided {
  offset: number;
  key: string | null;
  text: string;
  purchase: JoinPurchase;
  version: ProductVersion | undefined;
}

/** One partition's work up to `next`, to make durable in one atomic step. */
export interface JoinCommitPlan {
  partition: number;
  next: number;
  decided: Decided[];
  /** State changes: waiting purchases and catalog versions; an empty value deletes. */
  state: [key: string, value: string][];
  internal: { decided: Set<Entry>; persisted: Entry[]; catalogIndex: number; versions: [string, string][] };
}

const WAITING = 'w:';
const VERSION = 'v:';

/**
 * The join, per input partition so each partition's state (its waiting purchases, and the
 * catalog versions, kept by every partition) commits with its input offset (exactly-once).
 *
 * A purchase is decided — joined with the version valid at its time, or unmatched when its
 * product has none — once one of these holds:
 * - the catalog's watermark has reached its time (no version at or before it can still come);
 * - the catalog has been read to its end since the purchase was read (`syncedAt`), so every
 *   version written before the purchase was read is known, and either its product has a
 *   version at its time or it has waited `maxWait`;
 * - the input is finished (`force`, at the end of --until-end).
 * Until then it waits, in memory and, once a commit passes it, in the committed state.
 */
export class TemporalJoin extends OwnedPartitions<OwnedPartition> {
  readonly catalog = new VersionedCatalog();

  constructor(readonly options: JoinOptions) {
    super();
  }

  /** Purchases read and not decided, over owned partitions. */
  get waiting(): number {
    let n = 0;
    for (const p of this.owned.values()) n += p.entries.length;
    return n;
  }

  /** The offset before which an owned partition's records are committed (or were, when restored). */
  settled(partition: number): number | undefined {
    return this.owned.get(partition)?.settled;
  }

  /** Records read and not committed yet (malformed included), over owned partitions. */
  get uncommitted(): number {
    let n = 0;
    for (const p of this.owned.values()) n += p.next - p.settled;
    return n;
  }

  /**
   * Takes a partition restored to its last commit: its state's catalog versions join the
   * catalog, its waiting purchases wait again (from `now`). `parse` reads a waiting purchase's text.
   */
  own(partition: number, next: number, committed: boolean, state: Map<string, string>, now: number, parse: (text: string) => JoinPurchase | undefined): void {
    const p: OwnedPartition = { entries: [], next, committedNext: committed ? next : undefined, settled: next, catalogIndex: 0, persistedVersions: new Map() };
    for (const [key, value] of state) {
      if (value === '') continue; // a deleted key
      if (key.startsWith(VERSION)) {
        const v = decodeVersion(value);
        if (!v) continue;
        this.catalog.add(v);
        p.persistedVersions.set(key, value);
      } else if (key.startsWith(WAITING)) {
        const offset = Number(key.slice(WAITING.length));
        const saved = decodeWaiting(value);
        const purchase = saved && parse(saved.text);
        if (!saved || !purchase || !Number.isSafeInteger(offset)) continue;
        p.entries.push({ offset, key: saved.key, text: saved.text, purchase, arrivedAt: now, persisted: true });
      }
    }
    p.entries.sort((a, b) => a.offset - b.offset);
    this.owned.set(partition, p);
  }

  /** A purchase read at processing time `now`. */
  add(partition: number, offset: number, key: string | null, text: string, purchase: JoinPurchase, now: number): void {
    const p = this.owned.get(partition);
    if (!p) return;
    p.entries.push({ offset, key, text, purchase, arrivedAt: now, persisted: false });
    p.next = offset + 1;
  }

  /**
   * The work to commit for a partition's records before `cut`, or undefined when there is none.
   * `syncedAt`: the catalog has been read to the end offsets it had at this processing time.
   */
  prepare(partition: number, cut: number, now: number, syncedAt: number, force: boolean): JoinCommitPlan | undefined {
    const p = this.owned.get(partition);
    if (!p) return undefined;
    const watermark = this.catalog.watermark(this.options.delay);
    const decided: Decided[] = [];
    const decidedEntries = new Set<Entry>();
    const persisted: Entry[] = [];
    const state: [string, string][] = [];
    for (const e of p.entries) {
      if (e.offset >= cut) break;
      const t = e.purchase.eventTime;
      const version = this.catalog.at(e.purchase.productId, t);
      const synced = syncedAt >= e.arrivedAt;
      if (force || t <= watermark || (synced && (version !== undefined || now - e.arrivedAt >= this.options.maxWait))) {
        decided.push({ offset: e.offset, key: e.key, text: e.text, purchase: e.purchase, version });
        decidedEntries.add(e);
        if (e.persisted) state.push([WAITING + e.offset, '']);
      } else if (!e.persisted) {
        persisted.push(e);
        state.push([WAITING + e.offset, encodeWaiting(e)]);
      }
    }
    const versions: [string, string][] = [];
    const log = this.catalog.log;
    for (let i = p.catalogIndex; i < log.length; i++) {
      const key = versionKey(log[i]);
      const value = encodeVersion(log[i]);
      if (p.persistedVersions.get(key) !== value) versions.push([key, value]);
    }
    state.push(...versions);
    if (decided.length === 0 && state.length === 0 && cut === p.committedNext) return undefined;
    return { partition, next: cut, decided, state, internal: { decided: decidedEntries, persisted, catalogIndex: log.length, versions } };
  }

  /** The plan is durable: its decided purchases leave, its waiting ones are in the committed state. */
  committed(plan: JoinCommitPlan): void {
    const p = this.owned.get(plan.partition);
    if (!p) return;
    p.entries = p.entries.filter((e) => !plan.internal.decided.has(e));
    for (const e of plan.internal.persisted) e.persisted = true;
    for (const [key, value] of plan.internal.versions) p.persistedVersions.set(key, value);
    p.catalogIndex = Math.max(p.catalogIndex, plan.internal.catalogIndex);
    p.committedNext = plan.next;
    p.settled = Math.max(p.settled, plan.next);
  }
}

const versionKey = (v: ProductVersion) => `${VERSION}${v.productId}@${v.eventTime}`;
const encodeVersion = (v: ProductVersion) => JSON.stringify(v);
const encodeWaiting = (e: Entry) => JSON.stringify({ key: e.key, text: e.text });

function decodeVersion(text: string): ProductVersion | undefined {
  try {
    const v = JSON.parse(text) as ProductVersion;
    if (typeof v.productId === 'string' && Number.isSafeInteger(v.eventTime) && typeof v.price === 'number' && typeof v.cogs === 'number') return v;
  } catch {
    // not state this code wrote
  }
  return undefined;
}

function decodeWaiting(text: string): { key: string | null; text: string } | undefined {
  try {
    const v = JSON.parse(text) as { key: string | null; text: string };
    if (typeof v.text === 'string' && (v.key === null || typeof v.key === 'string')) return v;
  } catch {
    // not state this code wrote
  }
  return undefined;
}
