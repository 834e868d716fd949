import { describe, expect, it } from 'vitest';
import { ExpiryWheel } from '../../src/sockets/expiry-wheel.js';

/** Drives a wheel over slots with the given expiries and reports which slots each `expire` released. */
function run(expiries: number[], nows: number[]): number[][] {
  const wheel = new ExpiryWheel();
  wheel.grow(expiries.length);
  expiries.forEach((expiry, slot) => wheel.add(slot, expiry));
  return nows.map((now) => {
    const released: number[] = [];
    wheel.expire(now, (slot) => expiries[slot], (slot) => released.push(slot));
    return released.sort((a, b) => a - b);
  });
}

describe('ExpiryWheel', () => {
  it('releases a slot once the second holding its expiry has wholly passed', () => {
    // Slot 0 expires at 100.2: not released at 100.5 (its second is current), released at 101.
    expect(run([100.2, 100.9, 103.5], [100.5, 101, 103.9, 104])).toEqual([[], [0, 1], [], [2]]);
  });

  it('never releases a slot before its expiry, whatever the order it was added in', () => {
    const expiries = [1_000_000.5, 1_000_030.25, 1_000_000.75, 1_000_010, 1_000_001];
    const steps = [1_000_000.9, 1_000_001.5, 1_000_010, 1_000_011, 1_000_031];
    const released = run(expiries, steps);
    released.forEach((slots, i) => {
      for (const slot of slots) expect(expiries[slot]).toBeLessThanOrEqual(steps[i]);
    });
    expect(released.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps a slot due beyond a whole turn of the ring until its own time comes', () => {
    // 60 s TIME_WAIT next to a timer of 2000 s: four turns of the 512-second ring.
    const released = run([10, 2_000, 70], [11, 71, 600, 1_200, 1_999.5, 2_001]);
    expect(released).toEqual([[0], [2], [], [], [], [1]]);
  });

  it('turns over a gap much longer than the ring in one call', () => {
    expect(run([5, 9, 100_000], [1_000_000])).toEqual([[0, 1, 2]]);
  });

  it('does nothing before anything was added, or when time stands still', () => {
    const wheel = new ExpiryWheel();
    const released: number[] = [];
    wheel.expire(50, () => 0, (slot) => released.push(slot));
    wheel.grow(1);
    wheel.add(0, 50.5);
    wheel.expire(50.7, () => 50.5, (slot) => released.push(slot));
    wheel.expire(50.9, () => 50.5, (slot) => released.push(slot));
    expect(released).toEqual([]);
    wheel.expire(51, () => 50.5, (slot) => released.push(slot));
    expect(released).toEqual([0]);
  });
});
