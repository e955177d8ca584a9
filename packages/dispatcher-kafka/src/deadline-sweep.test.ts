import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineSweep } from './deadline-sweep.js';

interface Item {
  readonly name: string;
  answered: boolean;
}
const item = (name: string): Item => ({ name, answered: false });

describe('DeadlineSweep', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('given an item never answered, when timeoutMs passes, then it expires then and not before, at most a tenth late', () => {
    const expired: string[] = [];
    const sweep = new DeadlineSweep<Item>(1_000, (i) => expired.push(i.name));
    vi.advanceTimersByTime(350);
    sweep.add(item('a'));
    vi.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(101);
    expect(expired).toEqual(['a']);
  });

  it('given items answered in time among many, when the deadlines pass, then only the unanswered one expires, and the interval stops', () => {
    const expired: string[] = [];
    const sweep = new DeadlineSweep<Item>(1_000, (i) => expired.push(i.name));
    const items = Array.from({ length: 500 }, (_, n) => item(`item-${n}`));
    for (const i of items) sweep.add(i);
    for (const i of items) if (i.name !== 'item-250') i.answered = true;
    vi.advanceTimersByTime(1_100);
    expect(expired).toEqual(['item-250']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('given items added over time, when the sweep runs, then each expires by its own deadline, oldest first', () => {
    const expired: string[] = [];
    const sweep = new DeadlineSweep<Item>(1_000, (i) => expired.push(i.name));
    sweep.add(item('first'));
    vi.advanceTimersByTime(500);
    sweep.add(item('second'));
    vi.advanceTimersByTime(600);
    expect(expired).toEqual(['first']);
    vi.advanceTimersByTime(500);
    expect(expired).toEqual(['first', 'second']);
  });
});
