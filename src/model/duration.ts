import ms from 'ms';

/**
 * A duration as the `ms` package spells it with a unit (500ms, 30s, 10m, 2h, 1.5d) → milliseconds,
 * or undefined when the text is not one. The one reader of durations; callers say what they accept.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  const value = /^\d+(\.\d+)?\s*[a-z]+$/i.test(t) ? ms(t as ms.StringValue) : undefined;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
