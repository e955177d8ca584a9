import type { ReplayResult } from './replay.js';

/** Why a replay may be repeated, in the words of the summary and of `replay --help`. */
export const REPLAY_IS_SAFE =
  'Replaying is safe: events keep their ids, so JetStream drops what it already has (within its duplicate window, Nats-Msg-Id) and consumers skip the rest by CloudEvent id (eventfan subscriptions do).';

/** The summary on stdout: what was read, the rate, and per target published/duplicates/refused. */
export function summaryLines(source: string, result: ReplayResult): string[] {
  const rate = result.seconds > 0 ? Math.round(result.read / result.seconds) : result.read;
  const lines = [
    `${result.interrupted ? 'interrupted after' : 'replayed'} ${result.read} events of ${source} in ${result.seconds.toFixed(1)} s (${rate} events/s)`,
  ];
  for (const t of result.targets) {
    lines.push(
      `  ${t.target}: ${t.published} published, ${t.duplicates} duplicates (already there, not stored again), ${t.refused.length} refused`,
    );
    for (const r of t.refused.slice(0, 10))
      lines.push(`    refused ${r.id} (${r.stream}): ${r.reason}`);
    if (t.refused.length > 10) lines.push(`    … and ${t.refused.length - 10} more`);
  }
  lines.push(REPLAY_IS_SAFE);
  return lines;
}
