import { describe, expect, it } from 'vitest';
import { takeRequest } from './take-request.js';

const item = (stream: string, bytes = 10, shares = true) => ({ stream, bytes, shares });
const shareable = (c: { shares: boolean }) => c.shares;
const names = (items: readonly { stream: string }[]) => items.map((i) => i.stream);

describe('takeRequest', () => {
  it('given publishes that may share, when taken, then all go in one request', () => {
    const { taken, rest } = takeRequest([item('a'), item('b'), item('c')], shareable, 100);
    expect([names(taken), names(rest)]).toEqual([['a', 'b', 'c'], []]);
  });

  it('given more than maxBytes, when taken, then the request stops at the cap but the oldest always goes', () => {
    expect(names(takeRequest([item('a', 60), item('b', 60)], shareable, 100).taken)).toEqual(['a']);
    expect(names(takeRequest([item('a', 500)], shareable, 100).taken)).toEqual(['a']);
  });

  it('given the oldest may not share, when taken, then it goes alone', () => {
    const { taken, rest } = takeRequest([item('a', 10, false), item('b')], shareable, 100);
    expect([names(taken), names(rest)]).toEqual([['a'], ['b']]);
  });

  it('given one that cannot join, when taken, then later ones of its stream stay too, others join', () => {
    const waiting = [
      item('a'),
      item('b', 10, false),
      item('b'),
      item('c', 95),
      item('c'),
      item('d'),
    ];
    const { taken, rest } = takeRequest(waiting, shareable, 100);
    expect(names(taken)).toEqual(['a', 'd']);
    expect(names(rest)).toEqual(['b', 'b', 'c', 'c']);
  });
});
