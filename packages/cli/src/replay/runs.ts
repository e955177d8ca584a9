import type { Envelope } from '@eventfan/core';

/**
 * A page of envelopes as the batches a publisher takes (`prepare` wants one stream, consecutive
 * generations): per stream in read order, split where the generations stop being consecutive.
 */
export function streamRuns(page: readonly Envelope[]): Envelope[][] {
  const open = new Map<string, Envelope[]>();
  const runs: Envelope[][] = [];
  for (const envelope of page) {
    const run = open.get(envelope.stream);
    const last = run?.[run.length - 1];
    if (run && last && last.generation + 1 === envelope.generation) {
      run.push(envelope);
      continue;
    }
    const fresh = [envelope];
    open.set(envelope.stream, fresh);
    runs.push(fresh);
  }
  return runs;
}
