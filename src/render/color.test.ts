import { describe, expect, it } from 'vitest';
import { chalkFor, colorOn } from './color.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colorOn', () => {
  it('colours a terminal only, never a pipe', () => {
    expect(colorOn(tty, {})).toBe(true);
    expect(colorOn(pipe, {})).toBe(false);
    expect(colorOn(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('NO_COLOR turns it off everywhere, over FORCE_COLOR too; an empty NO_COLOR does not', () => {
    expect(colorOn(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorOn(tty, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(colorOn(tty, { NO_COLOR: '' })).toBe(true);
  });

  it('FORCE_COLOR decides when NO_COLOR is not set', () => {
    expect(colorOn(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorOn(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorOn(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('gives a chalk that colours or not by the rule', async () => {
    const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    try {
      delete process.env.FORCE_COLOR;
      process.env.NO_COLOR = '1';
      expect((await chalkFor(tty)).cyan('x')).toBe('x');
      delete process.env.NO_COLOR;
      expect((await chalkFor(tty)).cyan('x')).toMatch(/\x1b\[36mx/);
      expect((await chalkFor(pipe)).cyan('x')).toBe('x');
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });
});
