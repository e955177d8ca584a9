import type { Envelope } from '../envelope.js';

/**
 * Envelopes read from a log (a page of `readAll`, a replay) as the batches a publisher takes —
 * `prepare` wants one stream, consecutive generations: per stream in read order, split where the
 * generations stop being consecutive (a stream whose earlier events were parked or skipped).
 */
export function streamRuns(envelopes: readonly Envelope[]): Envelope[][] {
  const open = new Map<string, Envelope[]>();
  const runs: Envelope[][] = [];
  for (const envelope of envelopes) {
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
