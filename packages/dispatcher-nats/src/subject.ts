import type { Envelope } from '@eventfan/core';

const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;
const SAFE_CHAR = /[A-Za-z0-9_-]/;

/**
 * One NATS subject token from any string: letters, digits, `-` and `_` stay, every other UTF-8
 * byte (`.`, `*`, `>`, spaces, `%` itself…) becomes `%XX`. Distinct strings give distinct tokens,
 * and `decodeSubjectToken` turns a token back into the string.
 */
export function subjectToken(value: string): string {
  if (SAFE_TOKEN.test(value)) return value;
  let token = '';
  for (const byte of new TextEncoder().encode(value)) {
    const char = String.fromCharCode(byte);
    token += SAFE_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return token;
}

export function decodeSubjectToken(token: string): string {
  return decodeURIComponent(token);
}

/** `<prefix>.<aggregate>.<stream>`, each id escaped into one token. */
export function defaultSubject(prefix: string): (envelope: Envelope) => string {
  return (envelope) =>
    `${prefix}.${subjectToken(envelope.aggregate)}.${subjectToken(envelope.stream)}`;
}

// Whitespace separates the protocol line's fields; other controls have no place in a subject.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why `subject` cannot be published to, or undefined when it can: a publish subject has non-empty
 * tokens, no wildcards, no whitespace and no control characters.
 */
export function publishSubjectProblem(subject: string): string | undefined {
  if (typeof subject !== 'string' || subject === '') return 'the subject is empty';
  if (/\s/.test(subject)) return `subject ${JSON.stringify(subject)} contains whitespace`;
  if (CONTROL.test(subject)) {
    return `subject ${JSON.stringify(subject)} contains a control character`;
  }
  const tokens = subject.split('.');
  if (tokens.some((t) => t === '')) return `subject "${subject}" has an empty token`;
  if (tokens.some((t) => t === '*' || t === '>')) return `subject "${subject}" has a wildcard`;
  return undefined;
}
