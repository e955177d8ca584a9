import type { ReadReq } from '@eventstore/db-client/generated/streams_pb.js';
import type { ServerErrorResponse } from '@grpc/grpc-js';
import type { RecordedEvent } from './memory-log.js';
import { rpcErrors } from './rpc-errors.js';

/** How many events the server reads per page of a subscription's catch-up, its ReadBatchSize. */
export const READ_BATCH_SIZE = 32;

/**
 * A server-side filter of `$all`, as the client's `filter` option sends it: on the stream name or
 * the event type, by prefixes (any of them) or else by a regular expression. `window` is the most
 * events one page looks at (the filter's maxSearchWindow); a filtered subscription reports a
 * checkpoint every `checkpointInterval` events looked at (window × checkpointIntervalMultiplier).
 */
export interface AllFilter {
  matches(event: RecordedEvent): boolean;
  readonly window: number;
  readonly checkpointInterval: number;
}

/** The filter of a read of `$all`; undefined for "no filter". */
export function allFilter(options: ReadReq.Options): AllFilter | undefined | ServerErrorResponse {
  const filter = options.getFilter();
  if (!filter) return undefined;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression)
    return rpcErrors.invalidArgument('The filter names neither stream nor event type');
  const prefixes = expression.getPrefixList();
  let regex: RegExp | undefined;
  if (prefixes.length === 0) {
    try {
      regex = new RegExp(expression.getRegex());
    } catch (error) {
      return rpcErrors.invalidArgument(`The filter's regex is invalid: ${String(error)}`);
    }
  }
  const window = filter.hasMax() ? filter.getMax() : READ_BATCH_SIZE;
  const multiplier = filter.getCheckpointintervalmultiplier();
  if (window <= 0 || multiplier <= 0)
    return rpcErrors.invalidArgument('maxSearchWindow and checkpointInterval must be positive');
  const value = (event: RecordedEvent) => (onStream ? event.stream : event.type);
  return {
    matches: regex
      ? (event) => (regex as RegExp).test(value(event))
      : (event) => prefixes.some((prefix) => value(event).startsWith(prefix)),
    window,
    checkpointInterval: window * multiplier,
  };
}
