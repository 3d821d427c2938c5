import { describe, expect, it } from 'vitest';
import { nextTriggerAt } from './stream-reports.js';

describe('nextTriggerAt', () => {
  it('keeps triggers on the period\'s grid however late each wake-up and trigger is', () => {
    let due = 1000;
    let fired = 0;
    for (let now = 1000; now < 21_000; now += 7) {
      if (now < due) continue;
      fired++;
      // woke up late, and the trigger took a while: neither moves the next one
      due = nextTriggerAt(due, 200, now + 30);
    }
    expect(fired).toBe(100);
  });

  it('fires at once when a trigger overran the period', () => {
    expect(nextTriggerAt(1000, 200, 1500)).toBe(1500);
  });
});
