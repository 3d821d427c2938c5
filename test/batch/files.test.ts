import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkName, parseChunkName } from '../../src/batch/drain/layout.js';
import { endOfSegment } from '../../src/batch/files.js';
import { tempDir } from '../helpers/cli.js';

const line = (offset: number, pad = 0) => `{"offset":${offset},"timestamp":1,"key":null,"value":"${'x'.repeat(pad)}"}\n`;

describe('endOfSegment', () => {
  const segment = (text: string) => {
    const path = join(tempDir(), '00000000000000000100.ndjson');
    writeFileSync(path, text);
    return path;
  };

  it('is the offset after the last complete line', () => {
    expect(endOfSegment(segment(line(100) + line(101)), 100)).toBe(102);
  });

  it('leaves out an unfinished last line, torn or whole', () => {
    expect(endOfSegment(segment(line(100) + line(101) + '{"offset":102,"ti'), 100)).toBe(102);
    expect(endOfSegment(segment(line(100) + line(101).trimEnd()), 100)).toBe(101);
  });

  it('is the base for a segment without a complete line', () => {
    expect(endOfSegment(segment(''), 100)).toBe(100);
    expect(endOfSegment(segment('{"offset":100,'), 100)).toBe(100);
  });

  it('finds the last line when it is longer than the tail it reads first', () => {
    expect(endOfSegment(segment(line(100) + line(101, 200_000)), 100)).toBe(102);
    expect(endOfSegment(segment(line(100, 300_000)), 100)).toBe(101);
  });
});

describe('chunk names', () => {
  it('sort by offset and say which offsets they hold', () => {
    expect(chunkName(5, 1200, 'ndjson')).toBe('00000000000000000005-00000000000000001200.ndjson');
    expect(parseChunkName(chunkName(5, 1200, 'parquet'))).toEqual({ name: chunkName(5, 1200, 'parquet'), start: 5, end: 1200, format: 'parquet' });
    expect(parseChunkName('00000000000000000005-00000000000000001200.ndjson.123.tmp')).toBeUndefined();
  });
});
