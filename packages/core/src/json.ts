/** A value that survives JSON.stringify/JSON.parse unchanged. */
export type Json =
  null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/**
 * Where `value` stops being plain JSON, as a path like `$.items[2].at`, with why; undefined when it
 * is JSON. Dates, Maps, class instances, functions, undefined, NaN, bigint and cycles are not.
 */
export function findNonJson(
  value: unknown,
  path = '$',
  seen = new Set<object>(),
): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot carry`;
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return `${path} is a circular reference`;
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const bad = findNonJson(value[i], `${path}[${i}]`, seen);
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
          const bad = findNonJson(item, `${path}.${key}`, seen);
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

/** JSON with object keys sorted, so equal data always gives equal text. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
