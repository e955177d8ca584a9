import { findNonJson } from '@eventfan/core/adapter';
import { isJsonContentType } from './content-type.js';
import { invalid, show } from './errors.js';

/** Where an event comes from, as far as checking its data goes. */
export interface DataOrigin {
  /** Fresh from JSON.parse: its data is a JSON value by construction. */
  readonly parsedJson: boolean;
}

/**
 * Fails unless the event's data fits its `datacontenttype`: JSON data (or none) under a JSON type
 * or none, a string or bytes under any other; never both `data` and `data_base64`.
 */
export function checkData(
  event: Readonly<Record<string, unknown>>,
  data: unknown,
  base64: unknown,
  contentType: string | undefined,
  origin: DataOrigin,
): void {
  if (data !== undefined && base64 !== undefined) {
    invalid(event, 'data', 'an event carries either data or data_base64, not both');
  }
  if (isJsonContentType(contentType)) {
    if (base64 !== undefined) invalid(event, 'data_base64', binaryUnderJson(contentType));
    if (data === undefined || origin.parsedJson || isJsonValue(data, 0)) return;
    if (data instanceof Uint8Array) invalid(event, 'data', binaryUnderJson(contentType));
    const notJson = findNonJson(data, 'data');
    if (notJson !== undefined) {
      invalid(
        event,
        'data',
        `${notJson}; ${contentType === undefined ? 'with no datacontenttype' : `under datacontenttype "${contentType}"`} data must be a JSON value`,
      );
    }
  } else if (data !== undefined && typeof data !== 'string' && !(data instanceof Uint8Array)) {
    invalid(
      event,
      'data',
      `data under non-JSON datacontenttype "${contentType}" must be a string or a Uint8Array, got ${show(data)}`,
    );
  }
}

const MAX_FAST_DEPTH = 64;

/**
 * Whether `value` is plain JSON: the allocation-free fast path. False also for nesting beyond
 * MAX_FAST_DEPTH (cycles end there), where core's `findNonJson` decides and says why.
 */
function isJsonValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth === MAX_FAST_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJsonValue(value[i], depth + 1)) return false;
        return true;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      const record = value as Record<string, unknown>;
      for (const key in record) if (!isJsonValue(record[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** Why binary data cannot travel under `contentType` (a JSON type, or none). */
function binaryUnderJson(contentType: string | undefined): string {
  return `binary data needs a non-JSON datacontenttype naming its format (e.g. application/octet-stream); ${contentType === undefined ? 'with none, JSON data is implied' : `"${contentType}" declares JSON data`}`;
}
