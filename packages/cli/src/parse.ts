import { InvalidArgumentError } from 'commander';

/** Argument parsers for commander: a bad value is a usage error (exit 2) naming what was expected. */

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a whole number >= 1.');
  }
  return n;
}

export function commaList(value: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list.');
  return items;
}

/** `--to nats,kafka`: known target names, each once. */
export function targetList<T extends string>(known: readonly T[]) {
  return (value: string): T[] => {
    const names = commaList(value);
    for (const name of names) {
      if (!known.includes(name as T)) {
        throw new InvalidArgumentError(
          `unknown target "${name}"; choose from ${known.join(', ')}.`,
        );
      }
    }
    if (new Set(names).size !== names.length)
      throw new InvalidArgumentError('a target is named twice.');
    return names as T[];
  };
}
