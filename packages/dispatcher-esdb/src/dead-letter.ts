import type { EsdbEventData, EsdbJson, EsdbRecordedEvent } from './client.js';

/** Where a parked event came from and why, under `$parked` in its metadata. */
export interface ParkedInfo {
  readonly reason: string;
  /** The subscription that parked it. */
  readonly subscription: string;
  readonly stream: string;
  readonly revision: string;
  readonly position: string;
  readonly time: string;
}

/**
 * The dead-letter copy of a record: its type and data as they were, its metadata with `$parked`
 * added. A `$`-name, so the copy still decodes to the original CloudEvent (`fromEsdbRecord` skips
 * `$`-names) and can be replayed as it is. It keeps the original's id too (ids are unique per
 * stream): a record parked again after a crash is dropped by the server as a repeat.
 */
export function deadLetterRecord(record: EsdbRecordedEvent, info: ParkedInfo): EsdbEventData {
  const original = record.metadata;
  const metadata =
    typeof original === 'object' && original !== null && !(original instanceof Uint8Array)
      ? { ...(original as Record<string, unknown>), $parked: info }
      : { $parked: info, ...(original === undefined ? {} : { $metadata: textOf(original) }) };
  return {
    id: record.id,
    contentType: 'application/json',
    type: record.type,
    // Data that is not JSON is kept as its text, so the copy is always a JSON record.
    data: (record.isJson ? record.data : { $data: textOf(record.data) }) as EsdbJson,
    metadata,
  };
}

/** A dead-letter copy: left out of `$all` reads and subscriptions, which would deliver it again. */
export function isParked(event: EsdbRecordedEvent): boolean {
  const metadata = event.metadata;
  return typeof metadata === 'object' && metadata !== null && '$parked' in metadata;
}

function textOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return typeof value === 'string' ? value : JSON.stringify(value);
}
