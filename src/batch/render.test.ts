import { describe, expect, it } from 'vitest';
import { csvText, jsonLines, renderResult, sparkTable } from './render.js';
import type { Result } from './result.js';

const top: Result = {
  columns: [{ name: 'product_id', kind: 'text', scale: 0 }, { name: 'sales', kind: 'decimal', scale: 2 }, { name: 'quantity', kind: 'integer', scale: 0 }],
  rows: [['SF07', 12345.5, 2009], ['CS01', 7.98, 1], ['IS02', null, 0]],
};

describe('batch output', () => {
  it('draws the table as the Spark console does, money with 2 decimals and separators', () => {
    expect(sparkTable(top)).toBe([
      '+----------+---------+--------+',
      '|product_id|    sales|quantity|',
      '+----------+---------+--------+',
      '|      SF07|12,345.50|   2,009|',
      '|      CS01|     7.98|       1|',
      '|      IS02|     null|       0|',
      '+----------+---------+--------+',
      '',
    ].join('\n'));
  });

  it('prints one JSON object per row, numbers as numbers', () => {
    expect(jsonLines(top).split('\n').filter(Boolean).map((l) => JSON.parse(l))).toEqual([
      { product_id: 'SF07', sales: 12345.5, quantity: 2009 },
      { product_id: 'CS01', sales: 7.98, quantity: 1 },
      { product_id: 'IS02', sales: null, quantity: 0 },
    ]);
    expect(jsonLines({ columns: top.columns, rows: [] })).toBe('');
  });

  it('writes CSV with a header, fixed decimals and quoting', () => {
    const result: Result = { columns: [{ name: 'a,b', kind: 'text', scale: 0 }, { name: 'm', kind: 'decimal', scale: 2 }], rows: [['say "hi"', 3], [null, 0.1]] };
    expect(csvText(result)).toBe('"a,b",m\r\n"say ""hi""",3.00\r\n,0.10\r\n');
  });

  it('caps long results as the DuckDB CLI does: first and last rows, and the total', () => {
    const many: Result = { columns: [{ name: 'n', kind: 'integer', scale: 0 }], rows: Array.from({ length: 1234 }, (_, i) => [i]) };
    expect(sparkTable(many, 5).split('\n')).toEqual(['+-----+', '|    n|', '+-----+', '|    0|', '|    1|', '|    2|', '|    …|', '|1,232|', '|1,233|', '+-----+', '1,234 rows (5 shown; --max-rows 0 shows all)', '']);
    expect(sparkTable(many, 1234)).toBe(sparkTable(many));
    expect(sparkTable(many).split('\n')).toHaveLength(1234 + 5);
    const json = renderResult(many, 'json', 3);
    expect(json.text).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
    expect(json.note).toBe('showing the first 3 of 1,234 rows (--max-rows 0 shows all)');
    expect(renderResult(many, 'csv').text.split('\r\n')).toHaveLength(1234 + 2);
    expect(renderResult(many, 'csv').note).toBeUndefined();
  });
});
