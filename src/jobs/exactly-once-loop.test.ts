import { describe, expect, it } from 'vitest';
import type { ExactlyOnceHandlers, ExactlyOnceLoop } from '../transport/exactly-once.js';
import { TriggerLoop } from './exactly-once-loop.js';

const handlers: ExactlyOnceHandlers = { assigned: () => undefined, revoked: () => undefined, records: () => undefined, peer: () => undefined };

/** A loop that delivers nothing; `stop` waits for `stopWaitsFor`, as kafkajs's disconnect waits for a batch being handled. */
function idleLoop(stopWaitsFor?: () => Promise<void>): ExactlyOnceLoop {
  let stopped!: () => void;
  const running = new Promise<void>((resolve) => (stopped = resolve));
  return {
    description: 'idle',
    run: () => running,
    commit: async () => true,
    caughtUp: async () => false,
    pause: async () => undefined,
    stop: async () => {
      await stopWaitsFor?.();
      stopped();
    },
  };
}

const settled = (p: Promise<void>) => {
  const state = { done: false };
  void p.then(() => (state.done = true));
  return state;
};
const turns = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('TriggerLoop', () => {
  it('holds a reading (nextCommit) until the next commit is done', async () => {
    const triggers = new TriggerLoop();
    const stop = new AbortController();
    let commits = 0;
    let release!: () => void;
    const commitGate = new Promise<void>((resolve) => (release = resolve));
    const running = triggers.run({
      loop: idleLoop(), handlers, trigger: 3_600_000, signal: stop.signal, afterTrigger: () => undefined,
      commit: async () => {
        await commitGate;
        commits++;
      },
    });
    const held = settled(triggers.nextCommit());
    triggers.wake();
    await turns();
    expect(held.done).toBe(false); // the commit is under way, not done
    release();
    await turns();
    expect(held.done).toBe(true);
    expect(commits).toBe(1);
    stop.abort();
    await running;
  });

  it('lets a held reading go when the run ends, even when the last commit fails', async () => {
    const triggers = new TriggerLoop();
    const stop = new AbortController();
    const held = triggers.nextCommit();
    const running = triggers.run({
      loop: idleLoop(() => held), handlers, trigger: 3_600_000, signal: stop.signal, afterTrigger: () => undefined,
      commit: async () => {
        throw new Error('broker gone');
      },
    });
    stop.abort();
    await expect(running).rejects.toThrow('broker gone');
    // once ended, nothing is held any more (a batch delivered after the last commit)
    await triggers.nextCommit();
  });
});
