import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { checkGroupId, checkTopicName, isValidName, nameProblem } from './names.js';

describe('topic and group names (Kafka\'s topic rule)', () => {
  it('accepts 1 to 249 of letters, digits, . _ -', () => {
    for (const name of ['a', 'demo.purchases', 'salesstream-totals', 'A_b-9.x', '...', '.a', 'x'.repeat(249)]) expect(isValidName(name), name).toBe(true);
  });

  it('refuses ".", "..", empty, too long, separators and anything else', () => {
    for (const name of ['', '.', '..', 'x'.repeat(250), '../x', 'a/b', 'a\\b', '/abs', 'with space', 'tab\t', 'é', 'a:b', 'nul\0']) {
      expect(isValidName(name), JSON.stringify(name)).toBe(false);
      expect(nameProblem(name)).toContain(JSON.stringify(name));
    }
  });

  it('throws a UsageError (exit 2) naming the flag', () => {
    expect(() => checkTopicName('..', '--late-topic')).toThrowError(UsageError);
    expect(() => checkTopicName('..', '--late-topic')).toThrowError(/^--late-topic "\.\." is not accepted/);
    expect(() => checkGroupId('../../x', '--group')).toThrowError(/^--group "\.\.\/\.\.\/x" is not accepted/);
    expect(checkGroupId('salesstream-totals')).toBe('salesstream-totals');
  });
});
