/**
 * What went wrong in a NATS call, read from the error shapes of both client generations: `nats` 2.x
 * throws `NatsError` with a string `code` (and `api_error` for JetStream), the 3.x clients throw
 * named error classes (`TimeoutError`, `PermissionViolationError`, `JetStreamApiError`…), often
 * wrapped in a `cause` chain.
 */
export type NatsFailure =
  | { readonly kind: 'no-responders' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'permission' }
  | { readonly kind: 'closed' }
  | { readonly kind: 'max-payload' }
  | { readonly kind: 'jetstream'; readonly errCode: number; readonly description: string }
  | { readonly kind: 'other' };

/** JetStream API error codes this package acts on. */
export const JS_WRONG_LAST_SEQUENCE = 10071;
export const JS_STREAM_NOT_FOUND = 10059;
export const JS_NO_MESSAGE_FOUND = 10037;

const CODES: Readonly<Record<string, NatsFailure['kind']>> = {
  '503': 'no-responders',
  TIMEOUT: 'timeout',
  PERMISSIONS_VIOLATION: 'permission',
  CONNECTION_CLOSED: 'closed',
  CONNECTION_DRAINING: 'closed',
  CONNECTION_REFUSED: 'closed',
  DISCONNECT: 'closed',
  MAX_PAYLOAD_EXCEEDED: 'max-payload',
};

const NAMES: Readonly<Record<string, NatsFailure['kind']>> = {
  NoResponders: 'no-responders',
  NoRespondersError: 'no-responders',
  TimeoutError: 'timeout',
  PermissionViolationError: 'permission',
  ClosedConnectionError: 'closed',
  DrainingConnectionError: 'closed',
  ConnectionError: 'closed',
};

interface ApiError {
  readonly err_code?: number;
  readonly description?: string;
}

export function classify(error: unknown): NatsFailure {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const api = apiErrorOf(e);
    if (api)
      return {
        kind: 'jetstream',
        errCode: api.err_code ?? 0,
        description: api.description ?? e.message,
      };
    const code = (e as { code?: unknown }).code;
    const kind = (typeof code === 'string' ? CODES[code] : undefined) ?? NAMES[e.name];
    if (kind) return { kind } as NatsFailure;
    if (/max_payload|maximum payload/i.test(e.message)) return { kind: 'max-payload' };
    e = (e as { cause?: unknown }).cause ?? (e as { chainedError?: unknown }).chainedError;
  }
  return { kind: 'other' };
}

function apiErrorOf(e: Error): ApiError | undefined {
  const v2 = (e as { api_error?: ApiError }).api_error;
  if (v2) return v2;
  const v3 = (e as { apiError?: () => ApiError }).apiError;
  return typeof v3 === 'function' ? v3.call(e) : undefined;
}
