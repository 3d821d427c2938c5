import { printJsonLine } from './output.js';
import { colorOn } from './color.js';
import { truncate, type FrameSize } from './stream-tables.js';

export interface LiveViewOptions {
  format: 'table' | 'json';
  /** Redraw one frame in place on a terminal (false: append each batch, as Spark's console sink). */
  redraw: boolean;
}

/** Warnings kept above the redrawn frame. */
const RECENT_WARNINGS = 5;

/**
 * The output of a live job. JSON lines for programs; on a terminal, one frame redrawn in place,
 * with the latest warnings (late, malformed records) above it: a warning is written at once, one
 * line cut to the width, and the next redraw puts the recent ones back above the new frame, so
 * none is erased by it. With `redraw: false` (or off a terminal) frames are appended and warnings
 * go to stderr as they come.
 */
export class LiveView {
  /** Lines on screen since the frame began (frame and warnings), to go back over. */
  private lines = 0;
  private readonly recent: string[] = [];

  constructor(private readonly opts: LiveViewOptions) {}

  private get redrawing(): boolean {
    return this.opts.format === 'table' && this.opts.redraw && Boolean(process.stdout.isTTY);
  }

  size(): FrameSize {
    const color = colorOn();
    return { width: process.stdout.columns || 80, height: process.stdout.rows || 40, color };
  }

  /** A line about one record or a summary (already prefixed), for the person watching. */
  report(line: string): void {
    if (!this.redrawing) {
      process.stderr.write(`${line}\n`);
      return;
    }
    const shown = truncate(line, this.size().width);
    this.recent.push(shown);
    if (this.recent.length > RECENT_WARNINGS) this.recent.shift();
    // on the same screen: it is one more line the next redraw goes back over
    if (process.stderr.isTTY) {
      process.stderr.write(`${shown}\n`);
      this.lines++;
    } else {
      process.stderr.write(`${line}\n`);
    }
  }

  show(json: unknown, frame: (size: FrameSize) => string[]): void {
    if (this.opts.format === 'json') return printJsonLine(json);
    const size = this.size();
    if (!this.redrawing) {
      process.stdout.write(frame(size).join('\n') + '\n');
      return;
    }
    const lines = [...this.recent, ...frame({ ...size, height: size.height - this.recent.length })];
    if (this.lines > 0) {
      // back over the previous frame, or clear the screen when it no longer fits
      process.stdout.write(this.lines < size.height ? `\x1b[${this.lines}F\x1b[J` : '\x1b[H\x1b[2J');
    }
    process.stdout.write(lines.join('\n') + '\n');
    this.lines = lines.length;
  }
}
