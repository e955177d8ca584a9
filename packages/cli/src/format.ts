import { encodeJson, type CloudEvent } from '@eventfan/cloudevents';

/**
 * One line per event, tab-separated so `cut -f` picks a column: id, type, subject, time, data.
 * JSON data prints as compact JSON, binary data as its size, a missing attribute as `-`.
 */
export function eventLine(event: CloudEvent): string {
  return [event.id, event.type, event.subject ?? '-', event.time ?? '-', dataText(event)].join(
    '\t',
  );
}

/** The event in the CloudEvents JSON format, on one line (JSON Lines). */
export function eventJson(event: CloudEvent): string {
  return encodeJson(event);
}

function dataText(event: CloudEvent): string {
  const { data } = event;
  if (data === undefined)
    return event.data_base64 === undefined ? '-' : `<base64 ${event.data_base64}>`;
  if (data instanceof Uint8Array) return `<${data.length} bytes>`;
  return JSON.stringify(data);
}
