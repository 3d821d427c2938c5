// One record per line: {"offset":N,"timestamp":ms,"key":K,"value":V}. A value that is a JSON
// object or array is stored nested, so DuckDB reads fields straight from the files; any other
// value (bad JSON, plain text) is stored as a JSON string. A line without its newline is
// unfinished and never read: that is what makes a crash mid-write invisible.
//
// A complete line that is not such an envelope (garbage bytes, a hand-edited or torn-and-
// rewritten line, an offset not above the one before) is damaged: every reader skips it alike
// and reports where it is (decodeEnvelope returns undefined; see cursor.ts).

export interface Envelope {
  offset: number;
  timestamp: number;
  key: string | null;
  value: unknown;
}

export function encodeEnvelope(offset: number, timestamp: number, key: string | null, value: string, knownJson = false): string {
  return `{"offset":${offset},"timestamp":${timestamp},"key":${key === null ? 'null' : JSON.stringify(key)},"value":${knownJson ? value : storedValue(value)}}\n`;
}

function storedValue(value: string): string {
  const first = value.charCodeAt(0);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    try {
      JSON.parse(value);
      return value;
    } catch {
      // not JSON after all: stored as a string below
    }
  }
  return JSON.stringify(value);
}

export interface DecodedEnvelope extends Envelope {
  /** The value's wire text, exactly as it was produced. */
  text: string;
}

const VALUE_FIELD = ',"value":';

/**
 * A line back into its envelope, or undefined for a damaged line. A nested value's text is
 * sliced from the line, not re-serialised: exact, cheap, and safe for a value nested thousands
 * deep (JSON.parse copes; JSON.stringify would overflow the stack).
 */
export function decodeEnvelope(line: string): DecodedEnvelope | undefined {
  let e: Envelope;
  try {
    e = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof e !== 'object' || e === null || !Number.isSafeInteger(e.offset) || e.offset < 0 || typeof e.timestamp !== 'number'
    || !(e.key === null || typeof e.key === 'string') || !('value' in e)) return undefined;
  if (typeof e.value === 'string') return { offset: e.offset, timestamp: e.timestamp, key: e.key, value: e.value, text: e.value };
  // the writer puts "value" last, after "key" (whose text cannot hold an unescaped quote); a
  // line laid out otherwise was not written by it
  const keyAt = line.indexOf(',"key":');
  const start = line.indexOf(VALUE_FIELD);
  const end = line.lastIndexOf('}');
  if (keyAt < 0 || start < keyAt || end <= start) return undefined;
  return { offset: e.offset, timestamp: e.timestamp, key: e.key, value: e.value, text: line.slice(start + VALUE_FIELD.length, end) };
}

/** Reads the offset at the start of a line without parsing the whole record. */
export function offsetOfLine(line: string): number {
  return Number(line.slice(10, line.indexOf(',', 10)));
}
