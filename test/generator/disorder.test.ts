import { describe, expect, it } from 'vitest';
import { Disorder, type OutRecord } from '../../src/generator/disorder.js';
import { seededRandom } from '../../src/generator/random.js';
import { DEFAULT_RULES } from '../../src/generator/rules.js';
import { PurchaseTexts } from '../../src/generator/texts.js';
import { parsePurchase } from '../../src/model/purchase.js';
import { simulate, withinBinomial } from './sim.js';

const MAX_DELAY = 20 * 60_000_000;
const F = { late: 0.05, duplicate: 0.03, malformed: 0.02 };

describe('labelled disorder (issue 12 item 5)', () => {
  const txs = simulate({}, { seed: 21, startTime: Date.UTC(2026, 0, 5, 8) * 1000, count: 80_000 });
  const texts = new PurchaseTexts(DEFAULT_RULES);
  const made: { key: string; text: string; t: number }[] = [];
  for (const tx of txs) {
    const head = texts.head(tx);
    // each text made unique (two items of a transaction may read the same), so every record can be followed
    for (const item of tx.items) made.push({ key: item.product.productId, text: texts.purchase(head, tx, item).slice(0, -1) + `,"seq":${made.length}}`, t: tx.time });
  }
  const disorder = new Disorder({ lateFraction: F.late, maxDelay: MAX_DELAY, duplicateFraction: F.duplicate, malformedFraction: F.malformed, random: seededRandom(4) });
  const out: OutRecord[] = [];
  for (const m of made) disorder.push(m.key, m.text, m.t, out);
  disorder.drain(out);
  const count = (kind: string) => out.filter((o) => o.label?.kind === kind).length;

  it('treats each fraction of the purchases as asked, within 5 binomial standard deviations', () => {
    expect(withinBinomial(count('late'), made.length, F.late)).toBe(true);
    expect(withinBinomial(count('duplicate'), made.length, F.duplicate)).toBe(true);
    expect(withinBinomial(count('malformed'), made.length, F.malformed)).toBe(true);
    expect(out.length).toBe(made.length + count('duplicate'));
  });

  it('labels every record it touched, and only those', () => {
    const wrong: string[] = [];
    const fail = (i: number, why: string) => wrong.length < 5 && wrong.push(`#${i} ${JSON.stringify(out[i])}: ${why}`);
    let streamTime = -Infinity;
    // the original records in order, less the late ones: what the unlabelled and damaged ones must be, in order
    const lateTexts = new Map<string, number>();
    for (const o of out) if (o.label?.kind === 'late') lateTexts.set(o.text, (lateTexts.get(o.text) ?? 0) + 1);
    const inOrder = made.filter((m) => {
      const n = lateTexts.get(m.text);
      if (!n) return true;
      lateTexts.set(m.text, n - 1);
      return false;
    });
    let next = 0;
    // per position: the event time of the next on-time record written after it (Infinity: none)
    const nextOnTime = new Array<number>(out.length + 1).fill(Infinity);
    for (let i = out.length - 1; i >= 0; i--) nextOnTime[i] = out[i].label === undefined ? out[i].eventTime! : nextOnTime[i + 1];
    out.forEach((o, i) => {
      const parsed = parsePurchase(o.text);
      const label = o.label;
      if (label?.kind === 'malformed') {
        if (parsed.ok) fail(i, 'damaged but readable');
        next++;
        return;
      }
      if (!parsed.ok) return fail(i, `unreadable: ${parsed.reason}`);
      if (parsed.value.eventTime !== o.eventTime) fail(i, 'event time');
      if (label?.kind === 'late') {
        if (label.delay < 1_000_000 || label.delay > MAX_DELAY) fail(i, 'delay out of range');
        // written just before the first on-time record at or after its due time (or at the very end)
        if (nextOnTime[i + 1] < o.eventTime! + label.delay) fail(i, 'written before its due time');
        if (streamTime >= o.eventTime! + label.delay) fail(i, 'written after its due time');
        return;
      }
      if (label?.kind === 'duplicate') {
        if (out[i - 1].text !== o.text || out[i - 1].label !== undefined) fail(i, 'not a copy of the clean record before it');
        return;
      }
      if (label !== undefined) return fail(i, 'unknown label');
      if (o.eventTime! < streamTime) fail(i, 'unlabelled but out of order');
      if (inOrder[next++]?.text !== o.text) fail(i, 'unlabelled but not the next original record');
      streamTime = Math.max(streamTime, o.eventTime!);
    });
    expect(wrong).toEqual([]);
    expect(next).toBe(inOrder.length);
  });

  it('damages records in each of the four ways', () => {
    const damages = new Set(out.flatMap((o) => (o.label?.kind === 'malformed' ? [o.label.damage] : [])));
    expect([...damages].sort()).toEqual(['bad_timestamp', 'missing_field', 'truncated', 'wrong_type']);
  });
});
