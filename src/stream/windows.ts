// Event-time windows (DESIGN §4): aligned to the Unix epoch, half-open [start, end). Times are
// integer microseconds, as event times are (model/timestamp.ts).

export interface Window {
  /** Inclusive, µs since the epoch. */
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/**
 * Sliding windows of one size and slide; tumbling when the slide equals the size. A value:
 * validated once by its factory, then only pure arithmetic.
 */
export class SlidingWindows {
  private constructor(readonly size: number, readonly slide: number) {}

  /** Size and slide in µs; the slide must divide the size (so each event is in size/slide windows). */
  static of(size: number, slide: number): SlidingWindows {
    const problem = SlidingWindows.problem(size, slide);
    if (problem) throw new RangeError(problem);
    return new SlidingWindows(size, slide);
  }

  static tumbling(size: number): SlidingWindows {
    return SlidingWindows.of(size, size);
  }

  /** Why a size and slide make no windows, or undefined when they do. */
  static problem(size: number, slide: number): string | undefined {
    if (!Number.isSafeInteger(size) || size <= 0) return 'the size must be a positive whole number of µs';
    if (!Number.isSafeInteger(slide) || slide <= 0) return 'the slide must be a positive whole number of µs';
    if (slide > size) return 'the slide is larger than the size';
    if (size % slide !== 0) return 'the size is not a multiple of the slide';
    return undefined;
  }

  /** How many windows hold each event. */
  get perEvent(): number {
    return this.size / this.slide;
  }

  /** The start of the latest window holding t. */
  lastStartFor(t: number): number {
    return Math.floor(t / this.slide) * this.slide;
  }

  /** Every window holding t, earliest first. */
  windowsFor(t: number): Window[] {
    const last = this.lastStartFor(t);
    const windows: Window[] = [];
    for (let start = last - this.size + this.slide; start <= last; start += this.slide) {
      windows.push({ start, end: start + this.size });
    }
    return windows;
  }
}
