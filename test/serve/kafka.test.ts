import { describe, expect, inject, it } from 'vitest';
import { collect, jsonLines, runCli, startCli, tempDir, writeTestConfig } from '../helpers/cli.js';
import { deletedAfterAll } from '../kafka/cleanup.js';
import { eventually, rowsOf, startServe } from './server.js';

const brokers = inject('kafkaBrokers');
// the topics, and the internal changelog topic stream totals makes, go when the file is done
const created = deletedAfterAll(brokers);

describe.skipIf(!brokers)('serve on a real Kafka broker', () => {
  it('keeps the tables from 3-partition topics while generate runs, answers as batch does, and shows runningTotals once its topic exists', async () => {
    const cwd = tempDir();
    const topics = created.topics('serve');
    const totals = `${topics.purchases}.totals`;
    const group = `${topics.purchases}.group`;
    writeTestConfig(cwd, topics);
    const onKafka = (args: string[]) => ['--brokers', brokers, ...args];
    const serve = await startServe(cwd, ['--totals-topic', totals], ['--brokers', brokers]);
    try {
      const generate = startCli(onKafka(['generate', '--count', '0', '--rate', '200', '--seed', '12', '--partitions', '3']), { cwd });
      const generated = collect(generate, 240_000);
      const count = async () => (await rowsOf(serve.url, 'SELECT count(*) AS n FROM purchases'))[0].n as number;
      const first = await eventually('purchases from Kafka', async () => ((await count()) > 0 ? count() : undefined), 120_000)
        .catch((err: Error) => {
          throw new Error(`${err.message}\nserve: ${serve.stderr().slice(-2000)}\n${serve.stdout().slice(-1000)}`);
        });
      await eventually('more purchases', async () => ((await count()) > first + 100 ? true : undefined), 120_000);
      generate.kill('SIGINT');
      expect((await generated).code).toBe(0);

      const batch = await runCli(onKafka(['batch', 'top25', '--limit', '1000', '--format', 'json']), { cwd });
      expect(batch.code, batch.stderr).toBe(0);
      const expected = jsonLines(batch.stdout).map((r) => ({ product_id: r.product_id, quantity: r.quantity, sales: r.sales }));
      expect(expected.length).toBeGreaterThan(5);
      const top = 'SELECT product_id, SUMPRECISION(quantity, 10, 0) AS quantity, SUMPRECISION(total_purchase, 10, 2) AS sales FROM purchases GROUP BY product_id ORDER BY sales DESC, product_id';
      await eventually('serve to equal batch top25', async () => (JSON.stringify(await rowsOf(serve.url, top)) === JSON.stringify(expected) ? true : undefined), 120_000);

      // the Kafka Streams app's output appears as a table, and its totals are the purchases' sums
      expect((await (await fetch(`${serve.url}/tables`)).json()).tables).not.toContain('runningTotals');
      const run = await runCli(onKafka(['stream', 'totals', '--until-end', '--sink', totals, '--group', group, '--format', 'json']), { cwd, timeoutMs: 180_000 });
      expect(run.code, run.stderr).toBe(0);
      const sums = await rowsOf(serve.url, 'SELECT product_id, count(*) AS transactions, sum(quantity) AS quantities, sum(total_purchase) AS sales FROM purchases GROUP BY 1 ORDER BY 1');
      await eventually('runningTotals to equal the purchases', async () => {
        const held = await rowsOf(serve.url, 'SELECT product_id, transactions, quantities, sales FROM runningTotals ORDER BY 1').catch(() => []);
        return JSON.stringify(held) === JSON.stringify(sums) ? true : undefined;
      }, 120_000);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  }, 400_000);
});
