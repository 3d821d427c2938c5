import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, tempDir } from '../helpers/cli.js';

/** Exit 2 and exactly one line on stderr, starting "salesstream: ". */
async function oneLine(args: string[], cwd: string, input?: string): Promise<string> {
  const r = await runCli(args, { cwd, input });
  const what = `salesstream ${args.join(' ')}\n${r.stderr}`;
  expect(r.code, what).toBe(2);
  expect(r.stderr, what).toMatch(/^salesstream: [^\n]+\n$/);
  return r.stderr;
}

describe('one clear line for every user error', () => {
  it('--config missing, a folder, not text, not ini, or with keys salesstream does not read', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'folder.ini'));
    writeFileSync(join(cwd, 'binary.ini'), Buffer.from([0x5b, 0x00, 0xff, 0xfe, 0x0a, 0x80, 0x81]));
    writeFileSync(join(cwd, 'words.ini'), '[KAFKA]\nhello world\n');
    writeFileSync(join(cwd, 'typo.ini'), '[KAFKA]\ntopic_purchase = x\n');
    writeFileSync(join(cwd, 'section.ini'), '[SALE]\nnumber_of_sales = 5\n');
    writeFileSync(join(cwd, 'loose.ini'), 'number_of_sales = 5\n');
    const cases: [string, RegExp][] = [
      ['missing.ini', /cannot be read: no such file or folder/],
      ['folder.ini', /cannot be read: it is a folder/],
      ['binary.ini', /is not an ini file: it is not UTF-8 text/],
      ['words.ini', /is not an ini file: line 2 is neither \[SECTION\] nor key = value: "hello world"/],
      ['typo.ini', /\[KAFKA\] topic_purchase is not a key salesstream reads: use .*topic_purchases/],
      ['section.ini', /\[SALE\] is not a section salesstream reads: use \[KAFKA\], \[SALES\], \[INVENTORY\]/],
      ['loose.ini', /number_of_sales is outside any section/],
    ];
    for (const [file, reason] of cases) {
      const line = await oneLine(['--config', file, 'topics'], cwd);
      expect(line).toContain(resolve(cwd, file));
      expect(line).toMatch(reason);
    }
    // the shipped file passes
    const shipped = await runCli(['--config', resolve(import.meta.dirname, '../../configuration/configuration.ini'), 'topics'], { cwd });
    expect(shipped.code, shipped.stderr).toBe(0);
  }, 180_000);

  it('produce --key-field naming an object, an array or a missing field sends nothing', async () => {
    const cwd = tempDir();
    const cases: [string, RegExp][] = [
      ['{"a":{"b":1}}\n', /standard input line 1: "a" is an object/],
      ['{"a":"x"}\n\n{"b":2}\n', /standard input line 3: no "a" field/],
      ['[{"a":1},{"a":[1]}]', /standard input element 2: "a" is an array/],
      ['[{"a":1},"text"]', /standard input element 2: not a JSON object/],
    ];
    for (const [input, reason] of cases) expect(await oneLine(['produce', 'kf', '--key-field', 'a'], cwd, input)).toMatch(reason);
    expect(await oneLine(['produce', 'kf', '--key-field', 'a', '--raw'], cwd, 'x\n')).toMatch(/--key-field .* --raw/);
    const topics = jsonLines((await runCli(['topics', '--format', 'json'], { cwd })).stdout);
    expect(topics.find((t) => t.name === 'kf')).toBeUndefined();
    // a string, number or boolean field is the key
    expect((await runCli(['produce', 'kf', '--key-field', 'a'], { cwd, input: '{"a":"x"}\n{"a":7}\n{"a":true}\n' })).code).toBe(0);
    const keys = jsonLines((await runCli(['tail', 'kf', '--format', 'json'], { cwd })).stdout).map((e) => e.key);
    expect(keys).toEqual(['x', '7', 'true']);
  }, 180_000);

  it('topics create of an existing topic with another partition count says so', async () => {
    const cwd = tempDir();
    expect((await runCli(['topics', 'create', 't', '--partitions', '2'], { cwd })).code).toBe(0);
    expect(await oneLine(['topics', 'create', 't', '--partitions', '3'], cwd)).toMatch(/t already exists with 2 partition\(s\), not 3/);
    const same = await runCli(['topics', 'create', 't', '--partitions', '2'], { cwd });
    expect(same.code).toBe(0);
    expect(same.stderr).toMatch(/t already exists with 2 partition\(s\)/);
  }, 180_000);

  it('unknown commands and flags: one line, with the commands there are', async () => {
    const cwd = tempDir();
    expect(await oneLine(['topics', 'lst'], cwd)).toMatch(/unknown command 'lst' \(commands: list, create, delete\); see salesstream topics --help/);
    expect(await oneLine(['bogus'], cwd)).toMatch(/unknown command 'bogus' \(commands: .*generate.*tail.*topics.*\)/);
    expect(await oneLine(['stream', 'windw'], cwd)).toMatch(/unknown command 'windw' \(Did you mean window\?\) \(commands: window, totals/);
    expect(await oneLine(['--bogus', 'topics'], cwd)).toMatch(/unknown option '--bogus'; see salesstream --help/);
    expect(await oneLine(['tail', '--bogus', 'x'], cwd)).toMatch(/unknown option '--bogus'; see salesstream tail --help/);
    expect(await oneLine(['tail'], cwd)).toMatch(/missing required argument 'topics'/);
    expect(await oneLine(['generate', 'extra'], cwd)).toMatch(/too many arguments/);
    expect(await oneLine(['tail', 'x', '--from'], cwd)).toMatch(/--from <where>' argument missing/);
  }, 180_000);

  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  }, 180_000);
});
