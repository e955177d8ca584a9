/** A value that survives JSON.stringify/JSON.parse unchanged. */
export type Json =
  null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/**
 * Where `value` stops being plain JSON, as a path like `$.items[2].at`, with why; undefined when it
 * is JSON. Dates, Maps, class instances, functions, undefined, NaN, bigint and cycles are not.
 */
export function findNonJson(value: unknown, path = '$'): string | undefined {
  return walk(value, path, new Set<object>(), 0);
}

/** Deeper than this is refused: it would overflow the stack of any recursive reader downstream. */
export const MAX_JSON_DEPTH = 256;

function walk(value: unknown, path: string, seen: Set<object>, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot carry`;
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return `${path} is a circular reference`;
      if (depth === MAX_JSON_DEPTH) {
        return `${path} is nested deeper than ${MAX_JSON_DEPTH} levels, which eventfan does not carry`;
      }
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const bad = walk(value[i], `${path}[${i}]`, seen, depth + 1);
            if (bad) return bad;
          }
          return undefined;
        }
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          const name = (value as object).constructor?.name ?? 'unknown';
          return `${path} is a ${name}, not a plain object (convert it to JSON data first)`;
        }
        for (const [key, item] of Object.entries(value)) {
          const bad = walk(item, `${path}.${key}`, seen, depth + 1);
          if (bad) return bad;
        }
        return undefined;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return `${path} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, which JSON cannot carry`;
  }
}

/**
 * Whether `value` is plain JSON: the same answer as `findNonJson(value) === undefined`, without
 * building a path or a set of visited objects (a cycle ends at MAX_JSON_DEPTH). For the common
 * case; findNonJson names what is wrong.
 */
export function isJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth === MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key of Object.keys(value)) {
        if (!isJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * A deep copy of JSON data (`isJson` said so) with every object and array frozen: what a JSON
 * round trip would give back (-0 becomes 0, a `__proto__` key stays a key), without the text.
 */
export function frozenJsonCopy<T>(value: T): T {
  if (typeof value === 'number') return (Object.is(value, -0) ? 0 : value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return Object.freeze(value.map((item) => frozenJsonCopy(item))) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = frozenJsonCopy((value as Record<string, unknown>)[key]);
    if (key === '__proto__') {
      Object.defineProperty(copy, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      copy[key] = item;
    }
  }
  return Object.freeze(copy) as T;
}
