import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collect, jsonLines, killedAfter, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { latestByKey, rng, sale, totalsResult } from './reference.js';

async function ok(args: string[], cwd: string) {
  const result = await runCli(args, { cwd });
  expect(result.code, `salesstream ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

const tail = async (topic: string, cwd: string) => jsonLines((await ok(['tail', topic, '--from', 'beginning', '--format', 'json'], cwd)).stdout);
const BAD = ['oops', '{"transaction_time":"2026-01-01 08:00:00","product_id":"SC01"}', '{"transaction_time":"soon","product_id":"SC01","price":1,"quantity":1,"total_purchase":1}'];

describe('salesstream stream totals on the embedded log', () => {
  it('killed with SIGKILL at random moments and restarted, ends with exact totals and each bad record once in the DLQ', async () => {
    const cwd = tempDir();
    const r = rng(42);
    const malformed = (n: number) => {
      const file = join(cwd, `bad-${r.int(0, 1e9)}.ndjson`);
      writeFileSync(file, Array.from({ length: n }, () => r.pick(BAD)).join('\n') + '\n');
      return ok(['produce', 'demo.purchases', '--file', file, '--raw', '--partitions', '2'], cwd);
    };
    await malformed(5);
    // the input keeps arriving while the job is killed and restarted
    const generating = collect(startCli(['generate', '--count', '2500', '--seed', '9', '--rate', '1000', '--start-time', '2026-01-01T08:00:00Z'], { cwd }), 60_000);
    const totals = ['stream', 'totals', '--trigger', '20ms', '--dlq', 'dead', '--format', 'json'];
    let killedMidRun = 0;
    for (let i = 0; i < 6; i++) {
      if (await killedAfter(totals, { cwd }, () => sleep(r.int(250, 900)))) killedMidRun++;
    }
    expect((await generating).code).toBe(0);
    expect(killedMidRun).toBeGreaterThanOrEqual(4);
    await malformed(4);
    const last = await ok([...totals, '--until-end'], cwd);
    expect(jsonLines(last.stdout).at(-1).events).toBeGreaterThanOrEqual(4);

    const input = (await tail('demo.purchases', cwd)).map((e) => (typeof e.value === 'string' ? e.value : JSON.stringify(e.value)));
    expect(latestByKey(await tail('demo.running.totals', cwd))).toEqual(totalsResult(input));
    const dead = await tail('dead', cwd);
    expect(dead.map((d) => `${d.value.partition}@${d.value.offset}`).sort()).toEqual(
      (await tail('demo.purchases', cwd)).filter((e) => !sale(typeof e.value === 'string' ? e.value : JSON.stringify(e.value))).map((e) => `${e.partition}@${e.offset}`).sort());
  }, 120_000);

  it('stops cleanly on Ctrl-C after committing, and a second instance of the group is refused while one runs', async () => {
    const cwd = tempDir();
    await ok(['generate', '--count', '300', '--seed', '1', '--fast', '--start-time', '2026-01-01T08:00:00Z'], cwd);
    const child = startCli(['stream', 'totals', '--trigger', '50ms', '--format', 'json'], { cwd });
    let printed = '';
    child.stdout!.on('data', (d) => (printed += d));
    const done = collect(child, 120_000);
    // its first trigger's output means it holds the group
    await waitFor('the first instance to emit a trigger', () => printed.includes('\n'));
    const second = await runCli(['stream', 'totals', '--until-end'], { cwd });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/group salesstream-totals is already processing demo.purchases in process \d+/);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    const input = (await tail('demo.purchases', cwd)).map((e) => JSON.stringify(e.value));
    expect(latestByKey(await tail('demo.running.totals', cwd))).toEqual(totalsResult(input));
    const again = await ok(['stream', 'totals', '--until-end', '--format', 'json', '--top', '100'], cwd);
    const final = jsonLines(again.stdout).at(-1);
    expect(final.events).toBe(0); // nothing read twice
    expect(final.rows).toHaveLength(Object.keys(totalsResult(input)).length);
  });
});
