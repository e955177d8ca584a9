import type { Envelope } from '../envelope.js';
import { EventfanError, InvalidEvent } from '../errors.js';
import { findNonJson } from '../json.js';

/** Where an envelope sits, for errors about it. */
export function siteOf(target: string, envelope: Envelope) {
  return {
    target,
    stream: envelope.stream,
    generation: envelope.generation,
    type: envelope.type,
  };
}

/**
 * Encodes every envelope before anything is sent. Any eventfan error the encoder throws becomes
 * one InvalidEvent naming the target, the envelope and — for data that is not JSON — the path, so
 * every adapter answers bad input with the same class.
 */
export function encodeEach<T>(
  target: string,
  envelopes: readonly Envelope[],
  encode: (envelope: Envelope, index: number) => T,
): T[] {
  const out: T[] = new Array<T>(envelopes.length);
  for (let i = 0; i < envelopes.length; i++) {
    const envelope = envelopes[i] as Envelope;
    try {
      out[i] = encode(envelope, i);
    } catch (error) {
      throw asInvalidEvent(target, envelope, error);
    }
  }
  return out;
}

function asInvalidEvent(target: string, envelope: Envelope, error: unknown): unknown {
  const site = siteOf(target, envelope);
  // Data that is not JSON is named by its path whatever the encoder tripped on first.
  const notJson = findNonJson(envelope.data === undefined ? null : envelope.data, '$.data');
  if (notJson) return new InvalidEvent(notJson, { ...site, path: notJson.split(' ')[0] });
  if (error instanceof InvalidEvent) {
    return error.where.target === undefined
      ? new InvalidEvent(error.reason, { ...site, ...error.where })
      : error;
  }
  if (error instanceof EventfanError) return new InvalidEvent(error.message, site);
  return error;
}
