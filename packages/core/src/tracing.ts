import { createRequire } from 'node:module';
import type * as Otel from '@opentelemetry/api';

/**
 * OpenTelemetry is an optional peer: loaded once if the application installed it, else every span
 * helper below just runs its function.
 */
function loadApi(): typeof Otel | undefined {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as typeof Otel;
  } catch {
    return undefined;
  }
}
const otel = loadApi();

export type SpanAttributes = Readonly<Record<string, string | number>>;

/** A span's context, to parent further spans under it explicitly (no context manager needed). */
export type TraceParent = OpaqueContext | undefined;

/**
 * An OpenTelemetry context as the rest of core holds it: opaque, so core's declarations name no
 * type of the optional peer (a project without it still type-checks them).
 */
export interface OpaqueContext {
  readonly ['~eventfan.otel.context']?: never;
}

export interface SpanOptions {
  readonly attributes: SpanAttributes;
  readonly parent?: TraceParent;
  /** W3C traceparent values of the events the span works on: linked, not parented. */
  readonly links?: readonly (string | undefined)[];
}

/** Runs `fn` in a span named `name` (when OpenTelemetry is there), ended when `fn` settles. */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: TraceParent, traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  const tracer = otel && tracerOf(otel);
  if (!otel || !tracer) return fn(undefined, undefined);
  const parent = (options.parent as Otel.Context | undefined) ?? otel.context.active();
  const links = (options.links ?? []).flatMap((t) => {
    const context = t === undefined ? undefined : fromTraceparent(t);
    return context ? [{ context }] : [];
  });
  const span = tracer.startSpan(name, { attributes: options.attributes, links }, parent);
  const context = otel.trace.setSpan(parent, span);
  try {
    const result = await fn(
      context as OpaqueContext,
      span.isRecording() ? toTraceparent(span.spanContext()) : undefined,
    );
    span.end();
    return result;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: otel.SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    span.end();
    throw error;
  }
}

/**
 * The tracer of the provider the application registered, or undefined when it registered none:
 * then no span is made at all, not even a no-op one, so tracing costs nothing when it is off.
 */
function tracerOf(api: typeof Otel): Otel.Tracer | undefined {
  const provider = api.trace.getTracerProvider();
  return provider instanceof api.ProxyTracerProvider
    ? provider.getDelegateTracer('eventfan')
    : provider.getTracer('eventfan');
}

function toTraceparent(context: Otel.SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 1) === 1 ? '01' : '00'}`;
}

function fromTraceparent(traceparent: string): Otel.SpanContext | undefined {
  const [, traceId, spanId, flags] =
    /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent) ?? [];
  if (!traceId || !spanId || !flags) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
}

/** The attributes of an append or publish span. */
export function spanAttributes(
  target: string,
  envelopes: readonly { stream: string }[],
): SpanAttributes {
  return {
    'eventfan.target': target,
    'eventfan.stream': envelopes[0]?.stream ?? '',
    'eventfan.events': envelopes.length,
  };
}
