import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, findNonJson, frozenJsonCopy, isJson } from './json.js';

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
let deep: unknown = 1;
for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) deep = [deep];
const shared = { x: 1 };

const cases: unknown[] = [
  null,
  'text',
  true,
  0,
  -0,
  1.5,
  NaN,
  Infinity,
  undefined,
  () => 1,
  10n,
  Symbol('s'),
  { a: 1, b: [1, 'two', null, { c: false }] },
  [1, undefined],
  { when: new Date(0) },
  { m: new Map() },
  Object.create(null) as object,
  cyclic,
  deep,
  { left: shared, right: shared },
];

describe('isJson', () => {
  it('agrees with findNonJson on every case', () => {
    for (const value of cases) expect(isJson(value)).toBe(findNonJson(value) === undefined);
  });
});

describe('frozenJsonCopy', () => {
  it('gives what a JSON round trip gives, deeply frozen and not shared with the input', () => {
    const input = { a: 1, n: -0, list: [{ b: 'x' }, [2, 3]], nested: { '1': true, z: null } };
    const copy = frozenJsonCopy(input);
    expect(copy).toEqual(JSON.parse(JSON.stringify(input)));
    expect(Object.is(copy.n, 0)).toBe(true);
    expect(Object.keys(copy.nested)).toEqual(Object.keys(JSON.parse(JSON.stringify(input.nested))));
    expect(
      Object.isFrozen(copy) && Object.isFrozen(copy.list) && Object.isFrozen(copy.list[0]),
    ).toBe(true);
    expect(copy.list[0]).not.toBe(input.list[0]);
  });

  it('keeps a "__proto__" key as a key, as JSON.parse does', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const copy = frozenJsonCopy(input);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(input));
  });
});
