import { describe, expect, it } from 'vitest';
import {
  decodeSubjectToken,
  defaultSubject,
  publishSubjectProblem,
  subjectToken,
} from './subject.js';
import type { Envelope } from '@eventfan/core';

describe('subjectToken', () => {
  it('given a plain id, when escaped, then it is kept as is', () => {
    expect(subjectToken('player-42_A')).toBe('player-42_A');
  });

  it('given dots, wildcards, spaces and percent signs, when escaped, then one token without them comes out', () => {
    const token = subjectToken('a.b*c>d e%f');
    expect(token).toBe('a%2Eb%2Ac%3Ed%20e%25f');
    expect(publishSubjectProblem(token)).toBeUndefined();
    expect(token.split('.')).toHaveLength(1);
  });

  it('given ids that differ only in escaped characters, when escaped, then the tokens differ and decode back', () => {
    const ids = ['a.b', 'a%2Eb', 'a b', 'ä/ü', '🎲', ''];
    const tokens = ids.map(subjectToken);
    expect(new Set(tokens).size).toBe(ids.length);
    expect(tokens.map(decodeSubjectToken)).toEqual(ids);
  });
});

describe('defaultSubject', () => {
  it('given an envelope, when its subject is made, then it is <prefix>.<aggregate>.<stream> with both escaped', () => {
    const envelope = { aggregate: 'combat', stream: 'entity.1' } as Envelope;
    expect(defaultSubject('events.prod')(envelope)).toBe('events.prod.combat.entity%2E1');
  });
});

describe('publishSubjectProblem', () => {
  it.each([
    ['', 'empty'],
    ['a..b', 'empty token'],
    ['a.*', 'wildcard'],
    ['a.>', 'wildcard'],
    ['a b', 'whitespace'],
    ['a.b\u0001c', 'control character'],
    ['a.b\u007fc', 'control character'],
  ])('given %j, when checked, then it names the %s', (subject, problem) => {
    expect(publishSubjectProblem(subject)).toContain(problem);
  });
});
