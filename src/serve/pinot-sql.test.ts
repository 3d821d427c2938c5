import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { PINOT_MACROS, parseOptionList, pinotQuery } from './pinot-sql.js';

describe('Pinot query options', () => {
  it('takes SET options off the front and OPTION(...) off the end, never passing them on', () => {
    expect(pinotQuery("SET useStarTree = 'true';\n\nSELECT 1 FROM purchases;")).toEqual({ sql: 'SELECT 1 FROM purchases;', options: { useStarTree: 'true' } });
    expect(pinotQuery("-- a comment\nSET a = 1; set b='x''y';SELECT 1 OPTION(timeoutMs=100, preserveType='true')", 'useMultistageEngine=true')).toEqual({
      sql: 'SELECT 1',
      options: { useMultistageEngine: 'true', a: '1', b: "x'y", timeoutMs: '100', preserveType: 'true' },
    });
  });

  it('leaves a query without options as it is, SET inside a string included', () => {
    const sql = "SELECT 'SET a = 1;' AS s FROM purchases WHERE product_id = 'OPTION(x)'";
    expect(pinotQuery(sql)).toEqual({ sql, options: {} });
  });

  it('leaves an engine SET that is not followed by a query to the engine, which refuses it', () => {
    expect(pinotQuery('SET threads = 1').sql).toBe('SET threads = 1');
  });

  it('reads the request queryOptions list', () => {
    expect(parseOptionList('timeoutMs=5;useMultistageEngine=true')).toEqual({ timeoutMs: '5', useMultistageEngine: 'true' });
    expect(parseOptionList(undefined)).toEqual({});
  });
});

describe("Pinot's functions as DuckDB macros", () => {
  let c: DuckDBConnection;
  const one = async (sql: string) => (await c.runAndReadAll(`SELECT ${sql}`)).getRowsJson()[0];

  beforeAll(async () => {
    c = await (await DuckDBInstance.create(':memory:')).connect();
    for (const macro of PINOT_MACROS) await c.run(macro);
  });

  // 2022-08-31 10:11:12.345 UTC
  const MS = 1661940672345;

  it('SUMPRECISION sums exactly and rounds to its scale', async () => {
    const rows = await c.runAndReadAll('SELECT SUMPRECISION(x, 10, 2) AS a, SUMPRECISION(q, 10, 0) AS b, sumprecision(x) AS c FROM (VALUES (0.1::DECIMAL(18,3), 1::BIGINT), (0.205::DECIMAL(18,3), 2), (123456789012.005::DECIMAL(18,3), 3)) t(x, q)');
    expect(rows.getRowsJson()[0]).toEqual(['123456789012.31', '6', '123456789012.310']);
  });

  it('DISTINCTCOUNT counts distinct values', async () => {
    expect((await c.runAndReadAll('SELECT DISTINCTCOUNT(x) FROM (VALUES (1), (1), (2), (NULL)) t(x)')).getRowsJson()[0]).toEqual(['2']);
  });

  it('DATETRUNC takes a TIMESTAMP column or epoch milliseconds and returns epoch milliseconds', async () => {
    const day = Date.UTC(2022, 7, 31);
    expect(await one(`DATETRUNC('DAY', TIMESTAMP '2022-08-31 10:11:12.345'), DATETRUNC('hour', ${MS}), datetrunc('MINUTE', ${MS / 1000}, 'SECONDS')`))
      .toEqual([String(day), String(day + 10 * 3600_000), String(day + 10 * 3600_000 + 11 * 60_000)]);
  });

  it('ToDateTime and FromDateTime speak Java date patterns', async () => {
    expect(await one(`ToDateTime(${MS}, 'yyyy-MM-dd HH:mm:ss.SSS'), ToDateTime(TIMESTAMP '2022-08-31 10:11:12', 'yyyy-MM-dd''T''HH:mm'), ToDateTime(${MS}, 'HH:mm', 'America/New_York')`))
      .toEqual(['2022-08-31 10:11:12.345', '2022-08-31T10:11', '06:11']);
    expect(await one(`FromDateTime('31/08/2022 10:11:12.345', 'dd/MM/yyyy HH:mm:ss.SSS'), FromDateTime('2022-08-31', 'yyyy-MM-dd')`))
      .toEqual([String(MS), String(Date.UTC(2022, 7, 31))]);
  });

  it('now() is epoch milliseconds, and the epoch conversions agree with it', async () => {
    const before = Date.now();
    const [now] = await one('now()');
    expect(Number(now)).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(now)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await one(`ToEpochSeconds(${MS}), ToEpochDays(TIMESTAMP '2022-08-31 10:11:12'), FromEpochSeconds(1661940672)`))
      .toEqual([String(Math.floor(MS / 1000)), String(Math.floor(MS / 86400_000)), '1661940672000']);
  });
});
