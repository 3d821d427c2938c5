// Issue 14 item 7, batch side: damaged lines in an embedded segment (garbage bytes, a torn line,
// a garbage last line) are skipped and reported with their place, as the streaming readers do;
// records DuckDB cannot read (a lone surrogate) are malformed records at their offset; an
// unfinished last line is not read at all; nothing stops batch.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, tempDir } from '../helpers/cli.js';
import { top } from '../batch/oracle.js';

const purchase = (product_id: string, quantity: number, total_purchase: number) =>
  JSON.stringify({ transaction_time: '2022-08-31 08:00:00.000000', product_id, price: 5.99, quantity, total_purchase });

describe('batch over damaged segments', () => {
  it('skips and reports damaged lines with their byte, counts unreadable records as malformed at their offset', async () => {
    const cwd = tempDir();
    const good = [purchase('SF07', 1, 5.99), purchase('SC01', 2, 11.98), purchase('SF07', 3, 17.97), purchase('IS02', 1, 4.5)];
    const deep = purchase('IS02', 2, 9).replace(/}$/, `,"extra":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    const surrogate = purchase('LONE', 1, 1).replace('LONE', '\\ud800'); // the JSON escape of a lone surrogate
    writeFileSync(join(cwd, 'in.ndjson'), [good[0], good[1], surrogate, good[2], deep, good[3]].join('\n') + '\n');
    const produced = await runCli(['produce', 'demo.purchases', '--file', 'in.ndjson', '--raw'], { cwd });
    expect(produced.code, produced.stderr).toBe(0);

    // damage the segment: garbage between two records, a torn record, and a garbage last line
    const dir = join(cwd, '.salesstream', 'topics', 'demo.purchases', '0');
    const segment = join(dir, readdirSync(dir).find((n) => n.endsWith('.ndjson'))!);
    const lines = readFileSync(segment, 'utf8').split('\n').slice(0, -1);
    const torn = lines[3].slice(0, 40) + '\u0001\u00ff garbage';
    const damaged = [lines[0], lines[1], 'garbage \u0000\u0001 bytes', lines[2], torn, lines[4], lines[5], 'more garbage {"offset":'];
    writeFileSync(segment, damaged.join('\n') + '\n' + '{"offset":6,"timestamp":1,"ke'); // and an unfinished last line
    const byteOf = (i: number) => Buffer.byteLength(damaged.slice(0, i).map((l) => l + '\n').join(''));

    for (const args of [['batch', 'top25'], ['batch', 'kpis']]) {
      const result = await runCli([...args, '--format', 'json'], { cwd });
      expect(result.code, result.stderr).toBe(0);
      const name = segment.slice(dir.length + 1);
      // the records that remain readable: the torn one (good[2]) is lost to damage; the deep one is a valid purchase
      const valid = [good[0], good[1], deep, good[3]].map((l) => JSON.parse(l));
      if (args[1] === 'top25') expect(jsonLines(result.stdout)).toEqual(top(valid));
      else expect(jsonLines(result.stdout)[0]).toMatchObject({ purchases: 4, drinks: 6 });
      expect(result.stderr.split('\n').filter(Boolean).sort()).toEqual([
        'malformed record demo.purchases[0]@2',
        'skipped 1 malformed records in demo.purchases',
        `topic demo.purchases partition 0: skipped a damaged line at byte ${byteOf(2)} of segment ${name}, after offset 1`,
        `topic demo.purchases partition 0: skipped a damaged line at byte ${byteOf(4)} of segment ${name}, after offset 2`,
        `topic demo.purchases partition 0: skipped a damaged line at byte ${byteOf(7)} of segment ${name}, after offset 5`,
      ].sort());
    }
  });
});
