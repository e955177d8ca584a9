import type { NatsConnection } from './client.js';
import { classify, JS_NO_MESSAGE_FOUND } from './failure.js';

/**
 * The few JetStream API calls this package makes, as plain JSON requests over the connection: the
 * API is the same for every client generation, so no JetStream manager object is needed.
 */

export const DEFAULT_API_PREFIX = '$JS.API';

interface ApiErrorBody {
  readonly code: number;
  readonly err_code: number;
  readonly description: string;
}

/** JetStream answered with an error; `api_error` has the shape `failure.ts` reads. */
export class JetStreamApiRefusal extends Error {
  constructor(
    readonly api: string,
    readonly api_error: ApiErrorBody,
  ) {
    super(`${api}: ${api_error.description} (JetStream error ${api_error.err_code})`);
    this.name = 'JetStreamApiRefusal';
  }
}

export interface ApiCall {
  readonly connection: NatsConnection;
  readonly apiPrefix: string;
  readonly timeoutMs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function jsApi<T>(call: ApiCall, api: string, body?: object): Promise<T> {
  const payload = body === undefined ? new Uint8Array() : encoder.encode(JSON.stringify(body));
  const reply = await call.connection.request(`${call.apiPrefix}.${api}`, payload, {
    timeout: call.timeoutMs,
  });
  const answer = JSON.parse(decoder.decode(reply.data)) as T & { error?: ApiErrorBody };
  if (answer.error) throw new JetStreamApiRefusal(api, answer.error);
  return answer;
}

/** The stream whose subjects capture `subject`, or undefined when none does. */
export async function streamCapturing(call: ApiCall, subject: string): Promise<string | undefined> {
  const answer = await jsApi<{ streams: string[] | null }>(call, 'STREAM.NAMES', { subject });
  return answer.streams?.[0];
}

/** A message as JetStream stored it. */
export interface StoredMessage {
  readonly seq: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
}

/** The last message stored on `subject`, or undefined when the subject has none. */
export async function lastOnSubject(
  call: ApiCall,
  stream: string,
  subject: string,
): Promise<StoredMessage | undefined> {
  try {
    const { message } = await jsApi<{ message: { seq: number; hdrs?: string; data?: string } }>(
      call,
      `STREAM.MSG.GET.${stream}`,
      { last_by_subj: subject },
    );
    return {
      seq: message.seq,
      headers: parseHeaders(Buffer.from(message.hdrs ?? '', 'base64').toString('utf8')),
      data: new Uint8Array(Buffer.from(message.data ?? '', 'base64')),
    };
  } catch (error) {
    const failure = classify(error);
    if (failure.kind === 'jetstream' && failure.errCode === JS_NO_MESSAGE_FOUND) return undefined;
    throw error;
  }
}

/** `NATS/1.0\r\nKey: value\r\n…` as stored by JetStream; a repeated key keeps its last value. */
function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}
