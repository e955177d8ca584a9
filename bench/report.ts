import type { Task } from 'tinybench';

/** Heap in use after a full collection (needs node --expose-gc; without it, without the collection). */
export function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Events per second of a task that handles `events` per iteration, from its mean; 0 without one. */
export function eventsPerSecond(task: Task | undefined, events: number): number {
  const result = task?.result;
  const mean = result && 'latency' in result ? result.latency.mean : undefined;
  return mean ? Math.round(events / (mean / 1000)) : 0;
}

/** A rate as the tables show it, right-aligned to `width` digits and separators. */
export function formatRate(eventsPerSecond: number, width = 0): string {
  return `${Math.round(eventsPerSecond).toLocaleString('en').padStart(width)} events/s`;
}

/** Prints a two-column table: the form every benchmark reports in. */
export function printTable(title: string, rows: readonly (readonly [string, string])[]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
}
