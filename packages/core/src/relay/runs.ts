import type { Envelope } from '../envelope.js';
import type { LoggedEnvelope } from '../store.js';

/**
 * A page of the log as batches a publisher takes: per stream, in log order, split where the
 * generations stop being consecutive (a stream whose earlier events were parked or skipped).
 */
export function streamRuns(page: readonly LoggedEnvelope[]): Envelope[][] {
  const open = new Map<string, Envelope[]>();
  const runs: Envelope[][] = [];
  for (const { envelope } of page) {
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
