import { findNonJson, isJson } from '@eventfan/core/adapter';
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
    if (data === undefined || origin.parsedJson || isJson(data)) return;
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

/** Why binary data cannot travel under `contentType` (a JSON type, or none). */
function binaryUnderJson(contentType: string | undefined): string {
  return `binary data needs a non-JSON datacontenttype naming its format (e.g. application/octet-stream); ${contentType === undefined ? 'with none, JSON data is implied' : `"${contentType}" declares JSON data`}`;
}
