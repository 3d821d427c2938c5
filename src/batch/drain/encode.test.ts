import { describe, expect, it } from 'vitest';
import { encodeRecord, rejectLine, type Encoded } from './encode.js';

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
