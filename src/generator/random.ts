import prand from 'pure-rand';

/** The only source of randomness the generator sees: seeded, so a seed replays exactly. */
export interface RandomSource {
  /** Uniform integer in [min, max], both inclusive (Python's random.randint). */
  int(min: number, max: number): number;
}

export function seededRandom(seed: number): RandomSource {
  const rng = prand.xoroshiro128plus((seed | 0) ^ (Math.floor(seed / 2 ** 32) | 0));
  return { int: (min, max) => prand.unsafeUniformIntDistribution(min, max, rng) };
}

/** Uniform fractions in [0, 1) from a seeded source: for tests' random inputs, replayable from the seed. */
export function seededFractions(seed: number): () => number {
  const source = seededRandom(seed);
  return () => source.int(0, 2 ** 30 - 1) / 2 ** 30;
}
