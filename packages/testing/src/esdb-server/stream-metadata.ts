/**
 * Stream metadata as EventStoreDB keeps it: the last `$metadata` event of the stream's metastream
 * (`$$<stream>`), JSON with `$tb` (truncate before), `$maxCount` and `$maxAge` (seconds) deciding
 * which events a stream read still returns. A soft delete is a `$tb` of the largest event number.
 */

/** EventStoreDB's largest event number: a soft delete's `$tb`, and a tombstone's revision. */
export const DELETED_STREAM = 9_223_372_036_854_775_807n;

export const METADATA_EVENT_TYPE = '$metadata';
export const TOMBSTONE_EVENT_TYPE = '$streamDeleted';

export interface StreamMetadata {
  /** Events below this revision are not read; undefined when unset. */
  readonly truncateBefore: number | undefined;
  readonly softDeleted: boolean;
  readonly maxCount: number | undefined;
  /** Seconds an event stays readable. */
  readonly maxAge: number | undefined;
  /** The whole JSON object, so a rewrite keeps what the writer set. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export const NO_METADATA: StreamMetadata = {
  truncateBefore: undefined,
  softDeleted: false,
  maxCount: undefined,
  maxAge: undefined,
  raw: {},
};

/** Metastreams keep only their last event readable, as EventStoreDB's default for them. */
export const METASTREAM_METADATA: StreamMetadata = { ...NO_METADATA, maxCount: 1 };

export const isMetastream = (stream: string) => stream.startsWith('$$');
export const metastreamOf = (stream: string) => `$$${stream}`;
export const originalStreamOf = (metastream: string) => metastream.slice(2);

/** What a `$metadata` event says; data that is no JSON object counts as no metadata, as on the server. */
export function parseMetadata(data: Uint8Array): StreamMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return NO_METADATA;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return NO_METADATA;
  const record = raw as Record<string, unknown>;
  const count = (key: string) => {
    const value = record[key];
    return typeof value === 'number' && value >= 0 ? value : undefined;
  };
  const truncateBefore = count('$tb');
  return {
    // JSON numbers lose the last digits of 2^63 - 1; anything that large is the delete marker.
    softDeleted: truncateBefore !== undefined && truncateBefore >= Number.MAX_SAFE_INTEGER,
    truncateBefore,
    maxCount: count('$maxCount'),
    maxAge: count('$maxAge'),
    raw: record,
  };
}

/** The JSON the server writes for metadata whose `$tb` it sets, keeping the other properties. */
export function metadataWithTruncateBefore(
  raw: Readonly<Record<string, unknown>>,
  truncateBefore: bigint,
): Uint8Array {
  const rest = JSON.stringify({ ...raw, $tb: undefined });
  // $tb is written by hand: 2^63 - 1 is no exact JSON number in JavaScript.
  const tb = `"$tb":${truncateBefore.toString()}`;
  return Buffer.from(rest === '{}' ? `{${tb}}` : `{${tb},${rest.slice(1)}`, 'utf8');
}

/**
 * What the test server cannot honour in a write of metadata, named for the refusal: access control
 * lists (`$acl`), since it has no users. Undefined when it can honour it all.
 */
export function unsupportedMetadata(
  stream: string,
  events: readonly { readonly data: Uint8Array }[],
): string | undefined {
  if (!isMetastream(stream)) return undefined;
  const acl = events.some((event) => '$acl' in parseMetadata(event.data).raw);
  return acl ? `Stream ACLs ($acl in the metadata of '${originalStreamOf(stream)}')` : undefined;
}
