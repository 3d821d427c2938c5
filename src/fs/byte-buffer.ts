/**
 * A growable byte buffer, reused from one write to the next instead of a new Buffer each: text
 * goes in a piece at a time, so no string of the whole (megabytes, which V8 allocates straight
 * in its old generation) is ever built.
 */
export class ByteBuffer {
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

  /** Writes `count` pieces of text, `piece(i)` each, a few hundred at a time (one native call per group). */
  writeEach(count: number, piece: (i: number) => string): void {
    let text = '';
    for (let i = 0; i < count; i++) {
      text += piece(i);
      if (i % PIECES_PER_WRITE === PIECES_PER_WRITE - 1) {
        this.write(text);
        text = '';
      }
    }
    this.write(text);
  }

  /** What was written since the last reset: a view, valid until the next write. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** Pieces joined into one string per native write: few calls, and no rope of thousands of pieces (which costs the GC dearly). */
const PIECES_PER_WRITE = 256;
