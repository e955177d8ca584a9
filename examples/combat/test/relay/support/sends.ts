import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Publisher } from '@eventfan/core';

/**
 * The publisher, telling `record` the ids of every batch before it is sent: how many times each
 * event was handed to the broker, so that a duplicate on the broker can be checked against a
 * re-send.
 */
export function recordingSends(
  publisher: Publisher,
  record: (ids: readonly string[]) => void,
): Publisher {
  return {
    name: publisher.name,
    prepare: (envelopes) => publisher.prepare(envelopes),
    publish: (prepared, context) => {
      record(prepared.envelopes.map((e) => e.id));
      return publisher.publish(prepared, context);
    },
    close: () => publisher.close(),
  };
}

/** Sends counted in this process. */
export class SendCounts {
  readonly counts = new Map<string, number>();
  readonly record = (ids: readonly string[]): void => {
    for (const id of ids) this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  };
}

/**
 * Sends written to a file, one line per batch, before the batch leaves: a process killed with
 * SIGKILL mid-send still leaves the record of what it may have sent.
 */
export const recordToFile =
  (path: string) =>
  (ids: readonly string[]): void =>
    appendFileSync(path, `${ids.join(' ')}\n`);

export function readSendsFile(path: string): Map<string, number> {
  const counts = new SendCounts();
  if (!existsSync(path)) return counts.counts;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line) counts.record(line.split(' '));
  }
  return counts.counts;
}
