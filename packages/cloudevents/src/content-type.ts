/** What this package needs to know about a `datacontenttype` (or `content-type`) value. */
export interface MediaType {
  /** `type/subtype` with optional parameters, as RFC 2046 requires. */
  readonly valid: boolean;
  /** `*\/json` or `*\/*+json`: data is a JSON value (JSON format spec, 3.1.1). */
  readonly json: boolean;
  /** `text/*`, XML, or a `charset` parameter: bytes decode to a string. */
  readonly text: boolean;
}

/** Structured-mode `content-type` of the Kafka binding (its spec's own example). */
export const CLOUDEVENTS_JSON_UTF8 = 'application/cloudevents+json; charset=UTF-8';

const MEDIA_TYPE = /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+[\t ]*(?:;[\t\x20-\x7e]*)?$/;
const CHARSET = /;\s*charset=/i;

// Events of one application share a handful of content types: classify each once.
const cache = new Map<string, MediaType>();
const CACHE_LIMIT = 256;
let last: { readonly contentType: string; readonly type: MediaType } = {
  contentType: 'application/json',
  type: classify('application/json'),
};

export function mediaType(contentType: string): MediaType {
  // Comparing with the last one is cheaper than hashing a freshly decoded string.
  if (contentType === last.contentType) return last.type;
  let type = cache.get(contentType);
  if (type === undefined) {
    type = classify(contentType);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(contentType, type);
  }
  last = { contentType, type };
  return type;
}

/** JSON data, per the JSON format spec: a JSON media type, or none at all. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType === undefined || mediaType(contentType).json;
}

/** A `content-type` header that announces a structured-mode CloudEvent. */
export function isStructuredContentType(contentType: string | undefined): boolean {
  return (
    contentType !== undefined &&
    contentType.length >= 23 &&
    contentType.slice(0, 23).toLowerCase() === 'application/cloudevents'
  );
}

function classify(contentType: string): MediaType {
  const semicolon = contentType.indexOf(';');
  const essence = (semicolon === -1 ? contentType : contentType.slice(0, semicolon))
    .trim()
    .toLowerCase();
  const slash = essence.indexOf('/');
  const type = essence.slice(0, slash);
  const subtype = essence.slice(slash + 1);
  return {
    valid: MEDIA_TYPE.test(contentType),
    json: subtype === 'json' || subtype.endsWith('+json'),
    text:
      type === 'text' || subtype === 'xml' || subtype.endsWith('+xml') || CHARSET.test(contentType),
  };
}
