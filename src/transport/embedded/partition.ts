import { closeSync, existsSync, fsyncSync, ftruncateSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ByteBuffer } from '../../fs/byte-buffer.js';
import { syncDirectory, writeAll } from '../../fs/durable-file.js';
import { decodeEnvelope, encodeEnvelope, offsetOfLine } from './envelope.js';
import { listSegments, readLines, segmentName } from './files.js';

/**
 * Where a partition's log ends: its last segment, the next offset to write (one past the last
 * whole record's; damaged lines are passed over) and the byte after the last complete line.
 */
export function partitionEnd(dir: string): { base: number; end: number; bytes: number } {
  const segments = listSegments(dir);
  if (segments.length === 0) return { base: 0, end: 0, bytes: 0 };
  const base = segments[segments.length - 1];
  const path = join(dir, segmentName(base));
  let position = 0;
  let end = base;
  for (;;) {
    const chunk = readLines(path, position, 8 << 20);
    if (chunk.lines.length === 0) break;
    for (let i = chunk.lines.length - 1; i >= 0; i--) {
      const e = decodeEnvelope(chunk.lines[i]);
      if (e !== undefined && e.offset >= end) {
        end = e.offset + 1;
        break;
      }
    }
    position = chunk.next;
  }
  return { base, end, bytes: position };
}

export function partitionStart(dir: string): number {
  return listSegments(dir)[0] ?? 0;
}

/** Byte position in a segment where offset `target` starts (or the end of complete lines). */
export function seekInSegment(path: string, base: number, target: number): { position: number; offset: number } {
  let position = 0;
  let offset = base;
  for (;;) {
    const chunk = readLines(path, position, 8 << 20);
    if (chunk.lines.length === 0) return { position, offset };
    for (let i = 0; i < chunk.lines.length; i++) {
      const lineOffset = offsetOfLine(chunk.lines[i]);
      if (lineOffset >= target) return { position: chunk.starts[i], offset: lineOffset };
      offset = lineOffset + 1;
    }
    position = chunk.next;
  }
}

/**
 * The single writer of one partition. Opening cuts off an unfinished last line left by a crash;
 * each append is one write() of whole lines, so readers see every record whole or not at all.
 * An append that fails (a full disk) is cut off again, so what stays is only what was appended
 * in full. sync() makes the appends so far durable (fsync): the writer calls it once per batch.
 */
export class PartitionAppender {
  private fd: number;
  private base: number;
  private bytes: number;
  private next: number;
  private dirty = false;
  private readonly out = new ByteBuffer();

  constructor(private readonly dir: string, private readonly segmentBytes: number) {
    const { base, end, bytes } = partitionEnd(dir);
    this.base = base;
    this.next = end;
    this.bytes = bytes;
    this.fd = this.openSegment(base);
    if (fstatSync(this.fd).size > bytes) ftruncateSync(this.fd, bytes);
  }

  get nextOffset(): number {
    return this.next;
  }

  /** Appends the records as one write() of whole lines, all with this timestamp. */
  append(records: { key: string | null; value: string; json?: boolean }[], timestamp: number): void {
    if (this.bytes >= this.segmentBytes) this.roll();
    const out = this.out;
    out.reset();
    const first = this.next;
    out.writeEach(records.length, (i) => encodeEnvelope(first + i, timestamp, records[i].key, records[i].value, records[i].json));
    const buffer = out.bytes();
    try {
      writeAll(this.fd, buffer, this.bytes);
    } catch (err) {
      // leave no part of a failed append for readers to see (best effort: the disk may refuse that too)
      try {
        ftruncateSync(this.fd, this.bytes);
      } catch {
        // the next writer's open cuts an unfinished line; whole lines of a failed batch may stay
      }
      throw err;
    }
    this.bytes += buffer.length;
    this.next = first + records.length;
    this.dirty = true;
  }

  /** Makes every append so far durable. */
  sync(): void {
    if (!this.dirty) return;
    fsyncSync(this.fd);
    this.dirty = false;
  }

  close(): void {
    closeSync(this.fd);
  }

  private roll(): void {
    // the finished segment is durable before the next one exists: a reader (or recovery) that
    // sees the new segment can trust the old one is whole
    this.sync();
    closeSync(this.fd);
    this.base = this.next;
    this.bytes = 0;
    this.fd = this.openSegment(this.base);
  }

  private openSegment(base: number): number {
    const path = join(this.dir, segmentName(base));
    if (existsSync(path)) return openSync(path, 'r+');
    const fd = openSync(path, 'w+');
    syncDirectory(this.dir);
    return fd;
  }
}
