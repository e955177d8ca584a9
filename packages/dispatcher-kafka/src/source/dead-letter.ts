import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/** Why a record was parked. */
export const REASON_HEADER = 'eventfan-reason';
/** Where it was read: `topic/partition@offset`. */
export const POSITION_HEADER = 'eventfan-position';
/** The consumer group that parked it. */
export const GROUP_HEADER = 'eventfan-group';

/** A reason as long as a stack of causes is kept whole; longer ones are cut, not the record. */
const MAX_REASON = 4_096;

export interface Parking {
  readonly reason: string;
  readonly position: string;
  readonly groupId: string;
}

/**
 * The dead-letter copy of a consumed record: its key, value and headers as they came (so it still
 * decodes to the same CloudEvent and can be replayed as it is), plus why, from where and by whom.
 * Same key, so a stream's parked records stay in order in the dead-letter topic too.
 */
export function deadLetterMessage(record: KafkaMessage, parking: Parking): Message {
  const headers: IHeaders = {
    ...record.headers,
    [REASON_HEADER]: parking.reason.slice(0, MAX_REASON),
    [POSITION_HEADER]: parking.position,
    [GROUP_HEADER]: parking.groupId,
  };
  return { key: record.key, value: record.value, headers };
}
