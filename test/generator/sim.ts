import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCatalog } from '../../src/generator/catalog.js';
import { generatorParts } from '../../src/generator/parts.js';
import { seededRandom } from '../../src/generator/random.js';
import { DEFAULT_RULES } from '../../src/generator/rules.js';
import { CLASSIC, type GeneratorSettings } from '../../src/generator/settings.js';
import { simulateTransactions, type Transaction } from '../../src/generator/simulation.js';

export const catalog = parseCatalog(readFileSync(resolve(import.meta.dirname, '../../configuration/products.csv'), 'utf8'));

/** The pure simulation with these settings, wired as the generate job wires it. */
export function simulate(settings: Partial<GeneratorSettings>, opts: { seed: number; startTime: number; count: number; fixedGap?: number }): Transaction[] {
  const parts = generatorParts({ ...CLASSIC, ...settings }, { catalog, seed: opts.seed, startTime: opts.startTime });
  const { disorder: _, ...extras } = parts;
  return [...simulateTransactions({ catalog, rules: DEFAULT_RULES, random: seededRandom(opts.seed), startTime: opts.startTime, count: opts.count, fixedGap: opts.fixedGap, ...extras })];
}

/** |observed − expected| within k standard deviations of a binomial count over n draws. */
export function withinBinomial(observed: number, n: number, p: number, k = 5): boolean {
  return Math.abs(observed - n * p) <= k * Math.sqrt(n * p * (1 - p)) + 1;
}

const formats = new Map<string, Intl.DateTimeFormat>();
/** Local weekday (0 = Monday), hour and minute of µs in a time zone, by Intl. */
export function local(micros: number, zone: string): { day: number; hour: number; minute: number } {
  let f = formats.get(zone);
  if (!f) formats.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' })));
  const parts = Object.fromEntries(f.formatToParts(new Date(Math.floor(micros / 1000))).map((p) => [p.type, p.value]));
  return { day: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday), hour: Number(parts.hour), minute: Number(parts.minute) };
}
