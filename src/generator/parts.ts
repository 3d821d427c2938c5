import { UsageError } from '../errors.js';
import { AnomalySchedule } from './anomalies.js';
import type { CatalogProduct } from './catalog.js';
import { Disorder } from './disorder.js';
import { localClock } from './hours.js';
import { seededRandom } from './random.js';
import { isClassic, type GeneratorSettings } from './settings.js';
import type { SimulationOptions } from './simulation.js';
import { Timeline } from './timeline.js';

export type GeneratorParts = Pick<SimulationOptions, 'timeline' | 'supply' | 'skew' | 'anomalies'> & { disorder?: Disorder };

/** Each part gets its own seeded source, so turning one on leaves the others' draws (and the sales) as they were. */
const PART = { anomalies: 0x0a11_0a11, supply: 0x05a9_0917, disorder: 0x0d15_04de };

/**
 * The parts the settings turn on, for simulateTransactions (timeline, supply, skew, anomalies) and
 * for the purchases on their way out (disorder). Nothing is made for what is off: the classic
 * settings make nothing, and the run is the original generator's.
 */
export function generatorParts(s: GeneratorSettings, run: { catalog: CatalogProduct[]; seed: number; startTime: number }): GeneratorParts {
  if (isClassic(s)) return {};
  const random = (part: number) => seededRandom(run.seed + part);
  const productIds = run.catalog.map((p) => p.productId);
  for (const planned of s.anomalySchedule) {
    const unknown = planned.productIds.find((id) => !productIds.includes(id));
    if (unknown !== undefined) throw new UsageError(`anomaly schedule: product ${unknown} is not in the catalog`);
  }
  const anomalies = s.anomaliesPerWeek > 0 || s.anomalySchedule.length > 0
    ? new AnomalySchedule({ planned: s.anomalySchedule, perWeek: s.anomaliesPerWeek, stormFactor: s.stormFactor, promotionFactor: s.promotionFactor, productIds, random: random(PART.anomalies), startTime: run.startTime })
    : undefined;
  const shaped = s.hours !== undefined || s.dailyCurve !== undefined || s.weeklyCurve !== undefined || anomalies !== undefined;
  const disordered = s.lateFraction + s.duplicateFraction + s.malformedFraction > 0;
  return {
    timeline: shaped ? new Timeline({ clock: localClock(s.timeZone), hours: s.hours, daily: s.dailyCurve, weekly: s.weeklyCurve, anomalies }) : undefined,
    anomalies,
    supply: s.restockLeadTime > 0 ? { leadTime: s.restockLeadTime, substituteFreq: s.substituteFreq, random: random(PART.supply) } : undefined,
    skew: s.skew,
    disorder: disordered ? new Disorder({ ...s, random: random(PART.disorder) }) : undefined,
  };
}
