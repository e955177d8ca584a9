/** The longest delay node's timers keep: a longer one, or Infinity, fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Why `value` cannot be the delay option `option`, in milliseconds, or undefined when it can: a
 * number above 0 (`from: 'above-zero'`) or from 0 (`from: 'zero'`), and at most MAX_TIMER_MS. Past
 * that, a timeout would fire at once instead of in weeks, failing every call.
 */
export function millisecondsProblem(
  option: string,
  value: number,
  from: 'zero' | 'above-zero',
): string | undefined {
  const low = from === 'zero' ? value >= 0 : value > 0;
  if (low && value <= MAX_TIMER_MS) return undefined;
  return `${option} must be ${from === 'zero' ? '>= 0' : '> 0'} and at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest timer node keeps), got ${value}`;
}
