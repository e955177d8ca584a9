import { classify } from '../failure.js';
import { jsApi, type ApiCall } from '../jetstream-api.js';
import { NatsStreamError } from '../errors.js';
import { subjectCovers } from '../stream.js';

const JS_CONSUMER_NOT_FOUND = 10014;
const NS_PER_MS = 1_000_000;

/** The fields of a consumer this package reads. */
export interface ConsumerInfo {
  readonly config: {
    readonly ack_policy?: string;
    readonly ack_wait?: number;
    readonly filter_subject?: string;
    readonly filter_subjects?: string[];
  };
  readonly delivered: { readonly consumer_seq: number; readonly stream_seq: number };
  readonly num_ack_pending: number;
  readonly num_pending: number;
}

export interface ConsumerSpec {
  readonly stream: string;
  readonly durable: string;
  readonly filterSubject?: string | undefined;
  /** Used only when creating it. */
  readonly ackWaitMs: number;
}

export function consumerInfo(
  call: ApiCall,
  stream: string,
  durable: string,
): Promise<ConsumerInfo> {
  return jsApi<ConsumerInfo>(call, `CONSUMER.INFO.${stream}.${durable}`);
}

/**
 * The durable pull consumer, created with explicit acks when it does not exist yet. One that
 * exists must ack explicitly and, when `filterSubject` is given, filter on it.
 */
export async function ensureConsumer(call: ApiCall, spec: ConsumerSpec): Promise<ConsumerInfo> {
  const { stream, durable } = spec;
  let info: ConsumerInfo;
  try {
    info = await consumerInfo(call, stream, durable);
  } catch (error) {
    const failure = classify(error);
    if (failure.kind !== 'jetstream' || failure.errCode !== JS_CONSUMER_NOT_FOUND) throw error;
    info = await jsApi<ConsumerInfo>(call, `CONSUMER.CREATE.${stream}.${durable}`, {
      stream_name: stream,
      config: {
        durable_name: durable,
        ack_policy: 'explicit',
        ack_wait: spec.ackWaitMs * NS_PER_MS,
        deliver_policy: 'all',
        ...(spec.filterSubject === undefined ? {} : { filter_subject: spec.filterSubject }),
      },
    });
  }
  const { config } = info;
  if (config.ack_policy !== 'explicit') {
    throw new NatsStreamError(
      stream,
      `consumer "${durable}" acknowledges "${config.ack_policy}", not "explicit": a subscription acks each message once handled`,
    );
  }
  const filters = filtersOf(info);
  if (spec.filterSubject !== undefined && !filters.includes(spec.filterSubject)) {
    throw new NatsStreamError(
      stream,
      `consumer "${durable}" filters on ${filters.map((f) => `"${f}"`).join(', ') || 'nothing'}, not "${spec.filterSubject}"; use another durable name or delete it`,
    );
  }
  return info;
}

export function filtersOf(info: ConsumerInfo): string[] {
  const { config } = info;
  return config.filter_subjects ?? (config.filter_subject ? [config.filter_subject] : []);
}

/** Whether the consumer would read what is published to `subject` (given the stream's subjects). */
export function consumes(info: ConsumerInfo, streamSubjects: readonly string[], subject: string) {
  const filters = filtersOf(info);
  const patterns = filters.length > 0 ? filters : streamSubjects;
  return patterns.some((pattern) => subjectCovers(pattern, subject));
}

export function ackWaitMs(info: ConsumerInfo): number {
  return (info.config.ack_wait ?? 30_000 * NS_PER_MS) / NS_PER_MS;
}
