import type { Envelope } from '@eventfan/core';
import type { KafkaPosition, KafkaPublisher } from '../src/index.js';

/** What happened to one publish attempt of one event. */
export interface Attempt {
  readonly id: string;
  readonly attempt: number;
  readonly outcome: 'acknowledged' | 'failed';
  readonly error?: unknown;
  /** Where the receipt of an acknowledged attempt says the event is. */
  readonly position?: KafkaPosition;
}

/**
 * A stream's events, one publish each, in order; a failed publish is retried with the same
 * envelope (as core's retry does) before the next event is tried, until `deadline`.
 */
export async function publishStream(
  publisher: KafkaPublisher,
  envelopes: readonly Envelope[],
  log: Attempt[],
  deadline: number,
): Promise<void> {
  for (const envelope of envelopes) {
    for (let attempt = 1; ; attempt++) {
      try {
        const receipt = await publisher.publish(publisher.prepare([envelope]), { attempt });
        const position = receipt.events[0]?.position;
        log.push({ id: envelope.id, attempt, outcome: 'acknowledged', position });
        break;
      } catch (error) {
        log.push({ id: envelope.id, attempt, outcome: 'failed', error });
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

/** Resolves once `log` holds at least `count` attempts with this outcome. */
export async function untilLogged(
  log: readonly Attempt[],
  outcome: Attempt['outcome'],
  count: number,
): Promise<void> {
  while (log.filter((a) => a.outcome === outcome).length < count) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
