import { join } from 'node:path';
import type { LogRecord } from '../transport.js';
import { decodeEnvelope } from './envelope.js';
import { listSegments, readLines, segmentName } from './files.js';
import { seekInSegment } from './partition.js';

/** Where a damaged line is, for the one line that reports it. */
export interface DamagedLine {
  topic: string;
  partition: number;
  segment: string;
  byte: number;
  /** The offset of the record before it, if any. */
  after?: number;
}

export function describeDamage(d: DamagedLine): string {
  const after = d.after === undefined ? '' : `, after offset ${d.after}`;
  return `topic ${d.topic} partition ${d.partition}: skipped a damaged line at byte ${d.byte} of segment ${d.segment}${after}`;
}

/** Reads one partition forward from an offset, across segments, one chunk per poll. */
export class PartitionCursor {
  private base = -1;
  private position = 0;

  constructor(
    private readonly topic: string,
    readonly partition: number,
    private readonly dir: string,
    public offset: number,
    /** Told of each damaged line and of each run of missing offsets, as one line of text. */
    private readonly onDamaged: (report: string) => void,
  ) {}

  /** The next records (none when there are none yet); damaged lines are reported and skipped. */
  poll(): LogRecord[] {
    if (this.base < 0 && !this.seek()) return [];
    for (;;) {
      const segment = segmentName(this.base);
      const chunk = readLines(join(this.dir, segment), this.position);
      if (chunk.lines.length === 0) {
        // the writer rolls to a new segment only after finishing this one
        const later = listSegments(this.dir).find((b) => b > this.base);
        if (later === undefined) return [];
        // a segment is rolled only once whole, so a shortfall means records were lost from it
        if (later > this.offset) this.onDamaged(`topic ${this.topic} partition ${this.partition}: offsets ${this.offset} to ${later - 1} are missing (segment ${segment} ends early)`);
        this.base = later;
        this.position = 0;
        continue;
      }
      this.position = chunk.next;
      const records: LogRecord[] = [];
      for (let i = 0; i < chunk.lines.length; i++) {
        const e = decodeEnvelope(chunk.lines[i]);
        // a record's offset is above every earlier one's: anything else is damage too
        if (e === undefined || e.offset < this.offset) {
          this.onDamaged(describeDamage({ topic: this.topic, partition: this.partition, segment, byte: chunk.starts[i], after: this.offset > 0 ? this.offset - 1 : undefined }));
          continue;
        }
        const record: LogRecord = { topic: this.topic, partition: this.partition, offset: e.offset, timestamp: e.timestamp, key: e.key, value: e.text };
        if (typeof e.value === 'object' && e.value !== null) record.parsed = e.value;
        records.push(record);
        this.offset = e.offset + 1;
      }
      if (records.length) return records;
    }
  }

  private seek(): boolean {
    const segments = listSegments(this.dir);
    if (segments.length === 0) return false;
    const base = [...segments].reverse().find((b) => b <= this.offset) ?? segments[0];
    const { position, offset } = seekInSegment(join(this.dir, segmentName(base)), base, this.offset);
    this.base = base;
    this.position = position;
    this.offset = offset;
    return true;
  }
}
