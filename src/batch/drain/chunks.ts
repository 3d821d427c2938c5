// Writes one partition's drained lines into chunk files, in large buffered writes. Files get their
// final names only at commit, so a reader never sees a chunk being written.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAll } from '../../fs/durable-file.js';
import { chunkName, type ChunkFormat } from './layout.js';

/** Lines are copied into one buffer of this size, written with one write() call when full. */
const WRITE_BYTES = 4 << 20;
/** A new chunk file starts past this size, so DuckDB has several files to share among threads. */
const CHUNK_BYTES = 256 << 20;

export interface WrittenChunk {
  /** The ndjson file as written, under a temporary name. */
  path: string;
  start: number;
  end: number;
}

/**
 * Lines go straight into a reused buffer rather than piling up as strings: holding thousands of
 * strings until a flush made garbage collection the drain's largest cost.
 */
export class ChunkWriter {
  private readonly done: WrittenChunk[] = [];
  private readonly buffer = Buffer.allocUnsafe(WRITE_BYTES);
  private used = 0;
  private fd = -1;
  private current?: WrittenChunk;
  private fileBytes = 0;

  constructor(private readonly folder: string) {}

  add(offset: number, line: string): void {
    if (!this.current) this.open(offset);
    this.put(line);
    this.current!.end = offset + 1;
  }

  /** Writes what is buffered and closes the files; returns them, oldest first. */
  finish(): WrittenChunk[] {
    this.closeFile();
    return this.done;
  }

  private put(text: string): void {
    // a UTF-16 unit takes at most 3 UTF-8 bytes
    if (this.used + text.length * 3 > WRITE_BYTES) {
      this.flush();
      if (text.length * 3 > WRITE_BYTES) return this.writeAll(Buffer.from(text, 'utf8'));
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  private open(offset: number): void {
    mkdirSync(this.folder, { recursive: true });
    const path = join(this.folder, `${chunkName(offset, offset, 'ndjson')}.${process.pid}.tmp`);
    this.fd = openSync(path, 'w');
    this.current = { path, start: offset, end: offset };
    this.fileBytes = 0;
  }

  private writeAll(bytes: Buffer): void {
    writeAll(this.fd, bytes);
    this.fileBytes += bytes.length;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.writeAll(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private closeFile(): void {
    if (!this.current) return;
    this.flush();
    // on disk before the commit (drain.json) that counts it
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.done.push(this.current);
    this.current = undefined;
    this.fd = -1;
  }

  /** Starts a new file once this one is big enough; only between lines, so none is split. */
  roll(): void {
    if (this.fileBytes + this.used >= CHUNK_BYTES) this.closeFile();
  }
}

/** Gives a written chunk its final name in the format asked; `toParquet` converts ndjson to parquet. */
export async function publishChunk(
  chunk: WrittenChunk,
  folder: string,
  format: ChunkFormat,
  toParquet: (from: string, to: string) => Promise<void>,
): Promise<string> {
  const target = join(folder, chunkName(chunk.start, chunk.end, format));
  if (format === 'ndjson') {
    renameSync(chunk.path, target);
  } else {
    const tmp = `${target}.${process.pid}.tmp`;
    await toParquet(chunk.path, tmp);
    syncFile(tmp);
    renameSync(tmp, target);
    rmSync(chunk.path, { force: true });
  }
  return target;
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
