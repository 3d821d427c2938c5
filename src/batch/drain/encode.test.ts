import { describe, expect, it } from 'vitest';
import { encodeRecord, isFlatObject, rejectLine, type Encoded } from './encode.js';

const record = (value: string, key: string | null = 'SF07') => ({ topic: 't', partition: 2, offset: 41, timestamp: 1700000000000, key, value });
const line = (e: Encoded) => (e.ok ? e.line : '');

describe('encodeRecord', () => {
  it('inlines a JSON value in the embedded envelope', () => {
    const out = line(encodeRecord(record('{"product_id":"SF07","price":5.99}')));
    expect(out).toBe('{"offset":41,"timestamp":1700000000000,"key":"SF07","value":{"product_id":"SF07","price":5.99}}\n');
    expect(JSON.parse(out).value.price).toBe(5.99);
  });

  it('keeps any JSON value, and a null or quoted key', () => {
    for (const value of ['42', '"text"', 'null', '[1,2]']) {
      const out = encodeRecord(record(value, null));
      expect(out.ok, value).toBe(true);
      expect(JSON.parse(line(out))).toMatchObject({ key: null, value: JSON.parse(value) });
    }
    expect(JSON.parse(line(encodeRecord(record('1', 'a"b')))).key).toBe('a"b');
  });

  it('turns line breaks between tokens into spaces so a record stays one line', () => {
    const out = line(encodeRecord(record('{\n  "a": "x\\ny",\r\n  "b": 1\n}')));
    expect(out.indexOf('\n')).toBe(out.length - 1);
    expect(JSON.parse(out).value).toEqual({ a: 'x\ny', b: 1 });
  });

  it('refuses what is not JSON, including text that would smuggle envelope fields', () => {
    for (const value of ['', 'not json', '{"a":1', '1,"offset":7', '{"a":1}}']) {
      expect(encodeRecord(record(value)).ok, value).toBe(false);
    }
  });

  it('writes a reject with its topic, partition and offset', () => {
    expect(JSON.parse(rejectLine(record('oops'), 'bad'))).toEqual({ topic: 't', partition: 2, offset: 41, timestamp: 1700000000000, key: 'SF07', value: 'oops', reason: 'bad' });
  });
});

describe('isFlatObject (the fast path past JSON.parse)', () => {
  // a small seeded generator: the same cases on every run
  let state = 0x2545f491;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const text = () => Array.from({ length: Math.floor(next() * 6) }, () => pick(['a', 'é', '"', '\\', '/', '\n', '\u0001', '\ud83c', '😀', ' ', '{', ':', ','])).join('');
  const scalar = () => pick([() => text(), () => (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20), () => Math.floor(next() * 1000), () => true, () => false, () => null])();
  const flat = () => JSON.stringify(Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [text(), scalar()])));

  it('takes what JSON.stringify makes of a flat object', () => {
    for (let i = 0; i < 2000; i++) {
      const value = flat();
      expect(isFlatObject(value), value).toBe(true);
    }
  });

  it('accepts only valid JSON: every mutation it still accepts, JSON.parse accepts too', () => {
    const edits = ['', ' ', ',', ':', '"', '\\', '}', '{', '[', '0', '-', '.', 'e', '+', 'x', '\n', 'tru', 'nul', '\\u12', '\\q'];
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      const value = flat();
      const at = Math.floor(next() * (value.length + 1));
      const cut = Math.floor(next() * 3);
      const mutated = value.slice(0, at) + pick(edits) + value.slice(at + cut);
      if (!isFlatObject(mutated)) continue;
      accepted++;
      expect(() => JSON.parse(mutated), mutated).not.toThrow();
      expect(mutated).not.toMatch(/[\r\n]/);
    }
    expect(accepted).toBeGreaterThan(1000); // the check above ran on many mutants
  });

  it('leaves nested, spaced and very long values to JSON.parse', () => {
    for (const value of ['{"a":[1]}', '{"a":{"b":1}}', '{ "a":1}', '[1]', '"x"', `{"a":"${'x'.repeat(70_000)}"}`]) {
      expect(isFlatObject(value), value.slice(0, 20)).toBe(false);
      expect(encodeRecord(record(value)).ok).toBe(true);
    }
  });
});

