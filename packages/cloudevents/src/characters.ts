import { invalid } from './errors.js';

// The spec's String type excludes C0/C1 controls and lone surrogates (controls would also break
// header-based bindings).
// eslint-disable-next-line no-control-regex
const MAYBE_BAD_CHARACTER = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;
const BAD_CHARACTER =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether JSON text may carry an attribute string with a forbidden character. JSON text holds no
 * raw C0 control, so one inside a string shows as an escape (a backslash), as do lone surrogates
 * written by JSON.stringify; DEL is searched for; C1 controls and surrogates are not ASCII. So
 * ASCII text without a backslash or DEL hides none: three native scans instead of one per string.
 */
export function jsonMayHideBadCharacter(json: string): boolean {
  return json.includes('\\') || json.includes('\x7f') || Buffer.byteLength(json) !== json.length;
}

/** Scans every string attribute for forbidden characters (see `jsonMayHideBadCharacter`). */
export function checkAllCharacters(event: Readonly<Record<string, unknown>>): void {
  for (const name in event) {
    const value = event[name];
    if (name !== 'data' && typeof value === 'string') checkCharacters(event, name, value);
  }
}

/** Fails when string attribute `name` holds a control character or a lone surrogate. */
export function checkCharacters(
  event: Readonly<Record<string, unknown>>,
  name: string,
  value: string,
): void {
  // The broad class is the quick test; the exact one only runs when it matches (emoji do).
  if (MAYBE_BAD_CHARACTER.test(value) && BAD_CHARACTER.test(value)) {
    invalid(
      event,
      name,
      `${name} contains a control character or a lone surrogate, which CloudEvents strings exclude`,
    );
  }
}
