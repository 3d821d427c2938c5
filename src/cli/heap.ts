import v8 from 'node:v8';

/**
 * How far V8 lets `stream enrich`'s heap grow past what was alive after its last full
 * collection, in percent. The job keeps little alive (its state: catalog versions, waiting
 * purchases) but allocates fast, and what it reads lives until the next commit, long enough to
 * reach the old generation. By default V8 lets that garbage pile up to several times what is
 * alive before it collects (on a machine with 16 GB or more its heap may grow to 4 GB): over 10M
 * purchases the job peaked at 324 MB of RSS with 14 MB alive. Bounded, the peak fell to 180 MB,
 * for more full collections, whose CPU costs speed (README, stream enrich; BENCHMARKS.md).
 */
export const ENRICH_HEAP_GROWING_PERCENT = 20;

const FLAG = '--heap-growing-percent';

/**
 * True when the user gave node the flag themselves (node refuses it in NODE_OPTIONS, so only its
 * own arguments can hold it): theirs wins.
 */
export function userSetHeapGrowth(execArgv: readonly string[]): boolean {
  // V8 takes its flags with dashes or underscores alike
  return execArgv.map((a) => a.replace(/_/g, '-')).some((a) => a === FLAG || a.startsWith(`${FLAG}=`));
}

/**
 * Bounds the heap's growth for the rest of this process: stream enrich's, the one job whose
 * memory goal needs it (the others keep V8's default, which is faster). V8 reads this flag each
 * time it sets the next collection's limit, so setting it once the process runs works, unlike
 * the heap's size limits, which are fixed when it starts.
 */
export function boundHeapGrowth(): void {
  if (userSetHeapGrowth(process.execArgv)) return;
  v8.setFlagsFromString(`${FLAG}=${ENRICH_HEAP_GROWING_PERCENT}`);
}
