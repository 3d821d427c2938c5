import { describe, expect, it } from 'vitest';
import { TemporalJoin, VersionedCatalog } from './temporal-join.js';
import { enrichedText, moneyText, parseJoinPurchase, parseProductVersion, type JoinPurchase, type ProductVersion } from './temporal-join-records.js';
import { toCents } from '../model/messages.js';

const T0 = Date.UTC(2026, 0, 1, 8) * 1000;
const MIN = 60_000_000;
const at = (us: number) => new Date(Math.floor(us / 1000)).toISOString().replace('T', ' ').replace('Z', '000');

function version(id: string, t: number, price: number, cogs = 1.5): ProductVersion {
  const r = parseProductVersion(JSON.stringify({
    event_time: at(t), product_id: id, category: 'Classic Smoothies', item: `Item ${id}`, size: '24 oz.', cogs, price, inventory_level: 75,
    contains_fruit: true, contains_veggies: false, contains_nuts: false, contains_caffeine: false, propensity_to_buy: 3,
  }));
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

function purchaseText(id: string, t: number, price = 4.99): string {
  return JSON.stringify({ transaction_time: at(t), transaction_id: String(t), product_id: id, price, quantity: 2, is_member: true, member_discount: 0.1, add_supplements: false, supplement_price: 0, total_purchase: 8.98 });
}

function purchase(text: string): JoinPurchase {
  const r = parseJoinPurchase(text);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

describe('VersionedCatalog', () => {
  it('gives the latest version at or before a time, none before the first', () => {
    const c = new VersionedCatalog();
    c.add(version('A', T0 + 10 * MIN, 5));
    c.add(version('A', T0, 4)); // out of order
    c.add(version('A', T0 + 20 * MIN, 6));
    expect(c.at('A', T0 - 1)).toBeUndefined();
    expect(c.at('A', T0)?.price).toBe(4);
    expect(c.at('A', T0 + 10 * MIN - 1)?.price).toBe(4);
    expect(c.at('A', T0 + 10 * MIN)?.price).toBe(5);
    expect(c.at('A', T0 + 99 * MIN)?.price).toBe(6);
    expect(c.at('B', T0 + 99 * MIN)).toBeUndefined();
    expect(c.watermark(10 * MIN)).toBe(T0 + 10 * MIN);
  });

  it('ignores a version it already has (a re-published catalog) and lets a corrected one replace it', () => {
    const c = new VersionedCatalog();
    expect(c.add(version('A', T0, 4))).toBe(true);
    expect(c.add(version('A', T0, 4))).toBe(false);
    expect(c.versions).toBe(1);
    expect(c.add(version('A', T0, 4.5))).toBe(true);
    expect(c.at('A', T0)?.price).toBe(4.5);
  });
});

describe('TemporalJoin', () => {
  const options = { delay: 10 * MIN, maxWait: 1000 };
  const join = () => {
    const j = new TemporalJoin(options);
    j.own(0, 0, false, new Map(), 0, (t) => purchase(t));
    return j;
  };
  const offer = (j: TemporalJoin, offset: number, text: string, now: number) => j.add(0, offset, 'k', text, purchase(text), now);

  it('decides a purchase once the catalog was read to its end after it came, with the version valid at its time', () => {
    const j = join();
    j.catalog.add(version('A', T0, 4));
    j.catalog.add(version('A', T0 + 5 * MIN, 5));
    offer(j, 0, purchaseText('A', T0 + MIN), 100);
    offer(j, 1, purchaseText('A', T0 + 5 * MIN), 100);
    // not synced since: both wait (and the commit keeps them as waiting state)
    const waiting = j.prepare(0, 2, 100, 99, false)!;
    expect(waiting.decided).toEqual([]);
    expect(waiting.state.map(([k]) => k)).toEqual(['w:0', 'w:1', `v:A@${T0}`, `v:A@${T0 + 5 * MIN}`]);
    j.committed(waiting);
    const plan = j.prepare(0, 2, 101, 100, false)!;
    expect(plan.decided.map((d) => d.version?.price)).toEqual([4, 5]);
    expect(plan.state).toEqual([['w:0', ''], ['w:1', '']]); // decided: no longer waiting
    j.committed(plan);
    expect(j.waiting).toBe(0);
    expect(j.prepare(0, 2, 102, 102, false)).toBeUndefined();
  });

  it('keeps a purchase of an unknown product waiting up to maxWait, then it is unmatched', () => {
    const j = join();
    j.catalog.add(version('A', T0, 4));
    offer(j, 0, purchaseText('B', T0 + MIN), 100);
    let plan = j.prepare(0, 1, 500, 500, false)!;
    expect(plan.decided).toEqual([]);
    j.committed(plan);
    // the version comes in time
    j.catalog.add(version('B', T0 + MIN, 7));
    plan = j.prepare(0, 1, 600, 600, false)!;
    expect(plan.decided.map((d) => d.version?.price)).toEqual([7]);
    j.committed(plan);
    offer(j, 1, purchaseText('C', T0 + 2 * MIN), 700);
    expect(j.prepare(0, 2, 1699, 1699, false)!.decided).toEqual([]);
    const late = j.prepare(0, 2, 1700, 1700, false)!;
    expect(late.decided).toHaveLength(1);
    expect(late.decided[0].version).toBeUndefined();
  });

  it('decides by the catalog watermark without a sync, and everything when forced', () => {
    const j = join();
    j.catalog.add(version('A', T0, 4));
    offer(j, 0, purchaseText('A', T0 + MIN), 100);
    offer(j, 1, purchaseText('A', T0 + 30 * MIN), 100);
    offer(j, 2, purchaseText('Z', T0 + 30 * MIN), 100);
    expect(j.prepare(0, 3, 100_000, -Infinity, false)!.decided).toEqual([]);
    j.catalog.add(version('B', T0 + 20 * MIN, 4)); // the catalog is past T0 + 10 min
    expect(j.prepare(0, 3, 100_000, -Infinity, false)!.decided.map((d) => d.offset)).toEqual([0]);
    expect(j.prepare(0, 3, 100_000, -Infinity, true)!.decided.map((d) => [d.offset, d.version?.price])).toEqual([[0, 4], [1, 4], [2, undefined]]);
  });

  it('commits only records before the cut, and a restored partition waits for what it had waiting', () => {
    const j = join();
    j.catalog.add(version('A', T0, 4));
    offer(j, 0, purchaseText('Q', T0 + MIN), 100);
    offer(j, 1, purchaseText('A', T0 + MIN), 100);
    offer(j, 2, purchaseText('A', T0 + MIN), 200);
    const plan = j.prepare(0, 2, 150, 150, false)!;
    expect(plan.next).toBe(2);
    expect(plan.decided.map((d) => d.offset)).toEqual([1]);
    j.committed(plan);
    const state = new Map(plan.state);
    const again = new TemporalJoin(options);
    again.own(0, plan.next, true, state, 5000, (t) => purchase(t));
    expect(again.catalog.at('A', T0)?.price).toBe(4);
    expect(again.waiting).toBe(1);
    // the restored purchase waits maxWait again from its restore
    expect(again.prepare(0, 2, 5000, 5000, false)).toBeUndefined();
    const restored = again.prepare(0, 2, 6000, 6000, false)!;
    expect(restored.decided.map((d) => [d.offset, d.version])).toEqual([[0, undefined]]);
    expect(restored.state).toEqual([['w:0', '']]);
  });

  it('counts the records read and not committed yet, malformed ones too (what holds reading back)', () => {
    const j = join();
    j.own(1, 40, true, new Map(), 0, (t) => purchase(t));
    expect(j.uncommitted).toBe(0);
    j.catalog.add(version('A', T0, 4));
    offer(j, 0, purchaseText('A', T0 + MIN), 100);
    j.skip(0, 1);
    offer(j, 2, purchaseText('Q', T0 + MIN), 100); // will wait
    j.add(1, 40, 'k', purchaseText('A', T0), purchase(purchaseText('A', T0)), 100);
    expect(j.uncommitted).toBe(4);
    const plan = j.prepare(0, 2, 100, 100, false)!;
    j.committed(plan);
    // partition 0 is committed up to 2 (offset 2, read later, is not); partition 1 not at all
    expect(j.uncommitted).toBe(2);
    j.committed(j.prepare(0, 3, 100, 100, false)!);
    expect(j.uncommitted).toBe(1);
    expect(j.waiting).toBe(2); // Q waits, committed as waiting state, and partition 1's purchase
  });

  it('writes each partition the catalog versions it has not committed yet', () => {
    const j = join();
    j.own(1, 0, false, new Map(), 0, (t) => purchase(t));
    j.catalog.add(version('A', T0, 4));
    const p0 = j.prepare(0, 0, 0, 0, false)!;
    expect(p0.state.map(([k]) => k)).toEqual([`v:A@${T0}`]);
    j.committed(p0);
    expect(j.prepare(0, 0, 0, 0, false)).toBeUndefined();
    j.catalog.add(version('A', T0, 4.5));
    expect(j.prepare(0, 0, 0, 0, false)!.state.map(([, v]) => JSON.parse(v).price)).toEqual([4.5]);
    expect(j.prepare(1, 0, 0, 0, false)!.state.map(([, v]) => JSON.parse(v).price)).toEqual([4, 4.5]);
  });
});

describe('the enriched record', () => {
  it('has the original Flink job\'s fields in order, money with two decimals, the time as UTC epoch ms', () => {
    const p = purchase(purchaseText('A', T0 + 1500));
    const text = enrichedText(p, version('A', T0, 4.5, 1.1));
    expect(text).toContain('"product_cogs":1.10,"product_price":4.50');
    expect(text).toContain('"member_discount":0.10');
    expect(text).toContain('"supplement_price":0.00');
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['transaction_time', 'transaction_timestamp', 'transaction_id', 'product_id', 'product_category', 'product_name',
      'product_size', 'product_cogs', 'product_price', 'contains_fruit', 'contains_veggies', 'contains_nuts', 'contains_caffeine', 'purchase_price',
      'purchase_quantity', 'is_member', 'member_discount', 'add_supplements', 'supplement_price', 'total_purchase']);
    expect(parsed.transaction_timestamp).toBe(Date.UTC(2026, 0, 1, 8) + 1);
    expect(parsed).toMatchObject({ transaction_id: String(T0 + 1500), product_name: 'Item A', purchase_price: 4.99, purchase_quantity: 2, total_purchase: 8.98 });
    expect([moneyText(0), moneyText(0.1), moneyText(12.345), moneyText(-1.5), moneyText(7)]).toEqual(['0.00', '0.10', '12.35', '-1.50', '7.00']);
  });

  it('rounds a half cent away from zero, as stream totals and batch do (toCents)', () => {
    expect([moneyText(-0.125), moneyText(0.125), moneyText(-2.675), moneyText(-0.001)]).toEqual(['-0.13', '0.13', '-2.68', '0.00']);
    for (const amount of [-0.125, -0.005, -1.115, 0.005, 3.335]) expect(moneyText(amount)).toBe((toCents(amount) / 100).toFixed(2));
    const p = purchase(purchaseText('A', T0).replace(/"total_purchase":[-0-9.]+/, '"total_purchase":-0.125'));
    expect(JSON.parse(enrichedText(p, version('A', T0, 4.5, 1.1))).total_purchase).toBe(-0.13);
  });

  it('refuses purchases and versions with missing or mistyped fields', () => {
    expect(parseJoinPurchase(purchaseText('A', T0).replace('"is_member":true', '"is_member":"yes"')).ok).toBe(false);
    expect(parseJoinPurchase('nope').ok).toBe(false);
    expect(parseProductVersion('{"event_time":"2026-01-01 08:00:00","product_id":"A"}').ok).toBe(false);
  });
});
