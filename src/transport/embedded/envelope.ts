// One record per line: {"offset":N,"timestamp":ms,"key":K,"value":V}. A value that is a JSON
// object or array is stored nested, so DuckDB reads fields straight from the files; any other
// value (bad JSON, plain text) is stored as a JSON string. A line without its newline is
// unfinished and never read: that is what makes a crash mid-write invisible.

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

/** The value's wire text back from a parsed envelope. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Reads the offset at the start of a line without parsing the whole record. */
export function offsetOfLine(line: string): number {
  return Number(line.slice(10, line.indexOf(',', 10)));
}
