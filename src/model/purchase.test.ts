import { describe, expect, it } from 'vitest';
import { LIMITS, parsePurchase, type Purchase } from './purchase.js';

describe('parsePurchase', () => {
  const good = { transaction_time: '2022-08-31 08:00:34.721802', product_id: 'SF07', price: 5.99, quantity: 2, total_purchase: 11.98 };
  const objects = [
    good,
    { ...good, transaction_id: '42' },
    { ...good, price: '5.99' },
    { ...good, quantity: 1.5 },
    { ...good, transaction_time: 'noon' },
    { ...good, product_id: undefined },
    [1, 2],
  ];

  it('gives the same answer from the text and from a transport\'s parse of it', () => {
    for (const o of objects) {
      const text = JSON.stringify(o);
      expect(parsePurchase(text, JSON.parse(text)), text).toEqual(parsePurchase(text));
    }
  });

  it('types money in cents and time in µs, and names what is wrong', () => {
    expect(parsePurchase(JSON.stringify(good))).toEqual({ ok: true, value: {
      eventTime: Date.UTC(2022, 7, 31, 8, 0, 34) * 1000 + 721802, transactionTime: good.transaction_time, transactionId: null,
      productId: 'SF07', priceCents: 599, quantity: 2, totalCents: 1198 } });
    expect(parsePurchase('not json')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parsePurchase(JSON.stringify({ ...good, price: '5.99' }))).toEqual({ ok: false, reason: 'price missing or not a number within ±1000000' });
  });

  it('calls numbers and years outside the valid ranges malformed, so no sum ever leaves exact integers', () => {
    const valid = (o: object) => parsePurchase(JSON.stringify({ ...good, ...o })).ok;
    expect(valid({ quantity: 1e20 })).toBe(false);
    expect(valid({ quantity: LIMITS.quantity + 1 })).toBe(false);
    expect(valid({ quantity: -LIMITS.quantity })).toBe(true);
    expect(valid({ price: 1e17 })).toBe(false);
    expect(valid({ total_purchase: 1e20 })).toBe(false);
    expect(valid({ total_purchase: LIMITS.money + 0.01 })).toBe(false);
    expect(valid({ total_purchase: -LIMITS.money })).toBe(true);
    expect(valid({ transaction_time: '9999-12-31 00:00:00.000000' })).toBe(false);
    expect(valid({ transaction_time: '0050-08-31 00:00:00.000000' })).toBe(false);
  });

  it('rounds half cents away from zero, as DuckDB and Spark do', () => {
    const cents = (total_purchase: number) => (parsePurchase(JSON.stringify({ ...good, total_purchase })) as { value: Purchase }).value.totalCents;
    expect([cents(-0.125), cents(0.125), cents(-0.001), cents(1.005)]).toEqual([-13, 13, 0, 100]);
    expect(Object.is(cents(-0.001), -0)).toBe(false);
  });

  it('refuses text that is not Unicode (a lone surrogate) anywhere in the value, as DuckDB\'s reader does', () => {
    expect(parsePurchase(JSON.stringify(good).replace('SF07', '\\ud800'))).toMatchObject({ ok: false });
    expect(parsePurchase(JSON.stringify({ ...good, note: { deep: ['x\udc00'] } }))).toMatchObject({ ok: false });
    // a pair is one character; an escaped backslash before "ud800" is not an escape
    expect(parsePurchase(JSON.stringify({ ...good, product_id: 'SF07\ud83d\ude00', note: '\\ud800' }))).toMatchObject({ ok: true });
  });

  it('calls a purchase after notAfter (a stream job\'s --max-future) malformed, and one at it valid', () => {
    const at = Date.UTC(2022, 7, 31, 8, 0, 34) * 1000 + 721802;
    expect(parsePurchase(JSON.stringify(good), undefined, at).ok).toBe(true);
    expect(parsePurchase(JSON.stringify(good), undefined, at - 1)).toMatchObject({ ok: false, reason: expect.stringContaining('too far ahead of processing time (--max-future)') });
  });
});
