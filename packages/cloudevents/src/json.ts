import { checkAttributes, type CheckOptions } from './attributes.js';
import { checkAllCharacters, jsonMayHideBadCharacter } from './characters.js';
import type { CloudEvent } from './cloudevent.js';
import { base64ToBytes, utf8 } from './data.js';
import { InvalidCloudEvent, show } from './errors.js';

/** Media type of the JSON event format. */
export const JSON_FORMAT = 'application/cloudevents+json';
/** Media type of the JSON batch format. */
export const JSON_BATCH_FORMAT = 'application/cloudevents-batch+json';

// Forbidden characters are ruled out on the JSON text, which is cheaper than a scan per string
// (see `jsonMayHideBadCharacter`): strings are only scanned when the text may hide one.
const TO_ENCODE: CheckOptions = { parsedJson: false, scanStrings: false };
const PARSED_CLEAN: CheckOptions = { parsedJson: true, scanStrings: false };
const PARSED_SUSPECT: CheckOptions = { parsedJson: true, scanStrings: true };

/** The event in the JSON format (`application/cloudevents+json`); binary data as `data_base64`. */
export function encodeJson(event: CloudEvent): string {
  checkAttributes(event, TO_ENCODE);
  const json = serializeJson(event);
  if (jsonMayHideBadCharacter(json)) checkAllCharacters(event);
  return json;
}

/**
 * An event from the JSON format. `null` attributes count as unset (as the format requires);
 * `data_base64` comes back as `data`, a `Uint8Array`. Throws InvalidCloudEvent.
 */
export function decodeJson(text: string | Uint8Array): CloudEvent {
  const json = typeof text === 'string' ? text : utf8(text, "the event's JSON text");
  return fromJsonValue(parse(json, 'event'), parsedOptions(json));
}

/** Events in the JSON batch format (`application/cloudevents-batch+json`): a JSON array. */
export function encodeBatch(events: readonly CloudEvent[]): string {
  let out = '[';
  for (let i = 0; i < events.length; i++) {
    if (i > 0) out += ',';
    try {
      out += encodeJson(events[i] as CloudEvent);
    } catch (error) {
      throw inBatch(error, i);
    }
  }
  return `${out}]`;
}

/** Events from the JSON batch format. Throws InvalidCloudEvent naming the index at fault. */
export function decodeBatch(text: string | Uint8Array): CloudEvent[] {
  const json = typeof text === 'string' ? text : utf8(text, "the batch's JSON text");
  const parsed = parse(json, 'batch');
  const options = parsedOptions(json);
  if (!Array.isArray(parsed)) {
    throw new InvalidCloudEvent(`a batch is a JSON array of events, got ${show(parsed)}`);
  }
  const events = new Array<CloudEvent>(parsed.length);
  for (let i = 0; i < parsed.length; i++) {
    try {
      events[i] = fromJsonValue(parsed[i], options);
    } catch (error) {
      throw inBatch(error, i);
    }
  }
  return events;
}

/** Structured mode is read only in the JSON format; batches and other formats are refused. */
export function assertJsonFormat(contentType: string): void {
  const essence = contentType.split(';', 1)[0]?.trim().toLowerCase();
  if (essence !== JSON_FORMAT) {
    throw new InvalidCloudEvent(
      `content-type "${contentType}" is not the JSON event format (${JSON_FORMAT})${essence === JSON_BATCH_FORMAT ? '; read batches with decodeBatch' : ''}`,
    );
  }
}

/** The JSON format of an event already validated: no check of its own. */
export function serializeJson(event: CloudEvent): string {
  const { data } = event;
  if (!(data instanceof Uint8Array)) return JSON.stringify(event);
  // The JSON format carries binary data as data_base64 in place of data.
  const json: Record<string, unknown> = {};
  for (const name in event) if (name !== 'data') json[name] = event[name];
  json.data_base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  return JSON.stringify(json);
}

function parse(json: string, what: string): unknown {
  try {
    return JSON.parse(json);
  } catch (cause) {
    throw new InvalidCloudEvent(
      `the ${what} is not valid JSON: ${(cause as Error).message}`,
      undefined,
      {
        cause,
      },
    );
  }
}

function parsedOptions(json: string): CheckOptions {
  return jsonMayHideBadCharacter(json) ? PARSED_SUSPECT : PARSED_CLEAN;
}

/** A parsed JSON-format event, validated and normalized (nulls dropped, `data_base64` decoded). */
function fromJsonValue(value: unknown, options: CheckOptions): CloudEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidCloudEvent(
      `the JSON format carries an event as a JSON object, got ${show(value)}`,
    );
  }
  const parsed = value as Record<string, unknown>;
  return checkAttributes(parsed, options) ? normalize(parsed) : (parsed as CloudEvent);
}

/** The validated event without null attributes, its `data_base64` (if any) as bytes in `data`. */
function normalize(parsed: Record<string, unknown>): CloudEvent {
  const event: Record<string, unknown> = {};
  for (const name in parsed) {
    const value = parsed[name];
    if (name === 'data_base64') {
      if (typeof value === 'string') event.data = base64ToBytes(value);
    } else if (value !== null || name === 'data') {
      event[name] = value;
    }
  }
  return event as CloudEvent;
}

function inBatch(error: unknown, index: number): unknown {
  if (!(error instanceof InvalidCloudEvent)) return error;
  return new InvalidCloudEvent(`batch item ${index}: ${error.reason}`, error.attribute, {
    eventId: error.eventId,
    cause: error,
  });
}
