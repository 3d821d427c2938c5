import { closeSync, existsSync, fsyncSync, ftruncateSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { syncDirectory, writeAll } from '../../fs/durable-file.js';
import { decodeEnvelope, encodeEnvelope, offsetOfLine } from './envelope.js';
import { listSegments, readLines, segmentName } from './files.js';

/** Lines encoded into the write buffer at a time (see append). */
const LINES_PER_CHUNK = 256;

/** A growable byte buffer, reused from one append to the next instead of a new Buffer each. */
class ByteBuffer {
  private buffer = Buffer.allocUnsafe(1 << 16);
  private length = 0;

  reset(): void {
    this.length = 0;
  }

  write(text: string): void {
    // a UTF-16 code unit never takes more than 3 bytes in UTF-8
    const room = this.length + text.length * 3;
    if (room > this.buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(room, this.buffer.length * 2));
      this.buffer.copy(larger, 0, 0, this.length);
      this.buffer = larger;
    }
    this.length += this.buffer.write(text, this.length);
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

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
    // the lines go into the buffer a chunk of text at a time: one native call per chunk, and no
    // text of the whole batch kept alive (a rope of thousands of lines costs the GC dearly)
    let text = '';
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      text += encodeEnvelope(first + i, timestamp, r.key, r.value, r.json);
      if (i % LINES_PER_CHUNK === LINES_PER_CHUNK - 1) {
        out.write(text);
        text = '';
      }
    }
    out.write(text);
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
