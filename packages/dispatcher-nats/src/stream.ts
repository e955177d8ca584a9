import { describeCause } from '@eventfan/core/adapter';
import type { NatsConnection } from './client.js';
import { NatsStreamError } from './errors.js';
import { classify, JS_STREAM_NOT_FOUND } from './failure.js';
import { DEFAULT_API_PREFIX, jsApi, type ApiCall } from './jetstream-api.js';

export interface EnsureStreamOptions {
  /** The JetStream stream name, e.g. `EVENTS`. */
  readonly name: string;
  /** Subjects it must capture, e.g. `['events.>']` or `['events.combat.*']`. */
  readonly subjects: readonly string[];
  /** How long JetStream remembers a `Nats-Msg-Id` to drop a re-sent event; default 2 minutes. */
  readonly duplicateWindowMs?: number;
  /** Used only when creating; default `file`. */
  readonly storage?: 'file' | 'memory';
  /** Used only when creating; default 1. */
  readonly replicas?: number;
  /** When the stream exists without these subjects or with a shorter window: update it instead of throwing. */
  readonly update?: boolean;
  readonly timeoutMs?: number;
  /** For JetStream domains: `$JS.<domain>.API`. */
  readonly apiPrefix?: string;
}

export interface EnsuredStream {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly duplicateWindowMs: number;
  readonly outcome: 'created' | 'verified' | 'updated';
}

interface StreamConfig {
  readonly name: string;
  readonly subjects?: string[];
  readonly duplicate_window?: number;
  readonly [key: string]: unknown;
}

const NS_PER_MS = 1_000_000;

/**
 * Creates the JetStream stream, or checks that an existing one captures the subjects and keeps
 * message ids at least `duplicateWindowMs` (the window in which a re-sent event is dropped).
 */
export async function ensureStream(
  connection: NatsConnection,
  options: EnsureStreamOptions,
): Promise<EnsuredStream> {
  const call: ApiCall = {
    connection,
    apiPrefix: options.apiPrefix ?? DEFAULT_API_PREFIX,
    timeoutMs: options.timeoutMs ?? 5_000,
  };
  const { name, subjects } = options;
  const windowMs = options.duplicateWindowMs ?? 120_000;
  if (subjects.length === 0) throw new NatsStreamError(name, 'no subjects were given');
  const existing = await streamConfig(call, name);
  if (!existing) {
    const config = {
      name,
      subjects: [...subjects],
      duplicate_window: windowMs * NS_PER_MS,
      storage: options.storage ?? 'file',
      num_replicas: options.replicas ?? 1,
      retention: 'limits',
      discard: 'old',
    };
    await guard(name, 'could not be created', jsApi(call, `STREAM.CREATE.${name}`, config));
    return { name, subjects, duplicateWindowMs: windowMs, outcome: 'created' };
  }
  const have = existing.subjects ?? [];
  const missing = subjects.filter((s) => !have.some((pattern) => subjectCovers(pattern, s)));
  const haveWindowMs = (existing.duplicate_window ?? 0) / NS_PER_MS;
  const shortWindow = haveWindowMs < windowMs;
  if (missing.length === 0 && !shortWindow) {
    return { name, subjects: have, duplicateWindowMs: haveWindowMs, outcome: 'verified' };
  }
  const problems = [
    missing.length
      ? `does not capture ${missing.map((s) => `"${s}"`).join(', ')} (it has ${have.map((s) => `"${s}"`).join(', ') || 'no subjects'})`
      : '',
    shortWindow
      ? `keeps message ids for ${haveWindowMs} ms, less than the ${windowMs} ms asked for`
      : '',
  ].filter(Boolean);
  if (!options.update) {
    throw new NatsStreamError(name, `${problems.join(' and ')}. Pass update: true to change it.`);
  }
  const config = {
    ...existing,
    subjects: [...have, ...missing],
    duplicate_window: Math.max(windowMs, haveWindowMs) * NS_PER_MS,
  };
  await guard(
    name,
    `could not be updated (it ${problems.join(' and ')})`,
    jsApi(call, `STREAM.UPDATE.${name}`, config),
  );
  return {
    name,
    subjects: config.subjects,
    duplicateWindowMs: config.duplicate_window / NS_PER_MS,
    outcome: 'updated',
  };
}

async function streamConfig(call: ApiCall, name: string): Promise<StreamConfig | undefined> {
  try {
    const info = await jsApi<{ config: StreamConfig }>(call, `STREAM.INFO.${name}`);
    return info.config;
  } catch (error) {
    const failure = classify(error);
    if (failure.kind === 'jetstream' && failure.errCode === JS_STREAM_NOT_FOUND) return undefined;
    throw new NatsStreamError(name, `could not be looked up: ${describeCause(error)}`, {
      cause: error,
    });
  }
}

async function guard(name: string, what: string, call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    throw new NatsStreamError(name, `${what}: ${describeCause(error)}`, { cause: error });
  }
}

/** Whether subject pattern `pattern` matches every subject `subject` can stand for. */
export function subjectCovers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    const other = s[i];
    if (other === undefined) return false;
    if (token === '*' ? other === '>' : token !== other) return false;
  }
  return p.length === s.length;
}
