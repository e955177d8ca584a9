import type { Producer } from 'kafkajs';
import type { ProducerSlot } from './producer-slot.js';
import type { SendQueue } from './send-queue.js';

export interface QueuedSend<T> {
  readonly queue: SendQueue;
  readonly slot: ProducerSlot;
  readonly timeoutMs: number;
  /** The sends of one dispatch on a connected producer. */
  readonly attempt: (producer: Producer) => Promise<T>;
  /** The error for a dispatch not acknowledged within `timeoutMs`. */
  readonly timedOut: () => Error;
}

/**
 * Runs `attempt` on the slot's producer once the sends queued before it are done, and answers
 * within `timeoutMs`, with its result or `timedOut()`:
 * - a dispatch whose deadline passes while it waits in the queue is never sent;
 * - one whose deadline passes while it is being sent has an unknown outcome: a replaceable
 *   producer is retired on the spot (the send may still land through it) and the queue moves on to
 *   a new one; a producer passed in keeps the queue until its send settles, as there is no other.
 */
export function queuedSend<T>({
  queue,
  slot,
  timeoutMs,
  attempt,
  timedOut,
}: QueuedSend<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let answered = false;
    let producer: Producer | undefined;
    let sending: Promise<T> | undefined;
    let release: (() => void) | undefined;
    const timer = setTimeout(() => {
      answered = true;
      reject(timedOut());
      if (producer && slot.replaceable) {
        slot.distrust(producer, sending);
        release?.();
      }
    }, timeoutMs);
    void queue.run(
      () =>
        new Promise<void>((done) => {
          if (answered) return done();
          release = done;
          const settle = () => {
            clearTimeout(timer);
            done();
          };
          const chosen = slot.current();
          producer = chosen;
          sending = slot.ready(chosen).then(() => {
            // The deadline passed while connecting: nothing was sent, and the caller knows.
            if (answered) throw timedOut();
            return attempt(chosen);
          });
          sending.then(
            (result) => {
              settle();
              resolve(result);
            },
            (error: unknown) => {
              settle();
              reject(error);
            },
          );
        }),
    );
  });
}
