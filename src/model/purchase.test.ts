import { describe, expect, it } from 'vitest';
import { parsePurchase } from './purchase.js';

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
    expect(parsePurchase(JSON.stringify({ ...good, price: '5.99' }))).toEqual({ ok: false, reason: 'price missing or not a number' });
  });
});
