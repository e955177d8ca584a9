export type { CloudEvent } from './cloudevent.js';
export { validateCloudEvent } from './cloudevent.js';
export { isJsonContentType } from './content-type.js';
export { fromSequence, SEQUENCE_DIGITS, toCloudEvent, toEnvelope, toSequence } from './envelope.js';
export { InvalidCloudEvent } from './errors.js';
export type { EsdbRecord, EsdbRecordIn } from './esdb.js';
export { envelopeToEsdbRecord, fromEsdbRecord, toEsdbRecord } from './esdb.js';
export type { BindingMode, BindingOptions, HeaderSource, HeaderValue } from './headers.js';
export {
  decodeBatch,
  decodeJson,
  encodeBatch,
  encodeJson,
  JSON_BATCH_FORMAT,
  JSON_FORMAT,
} from './json.js';
export type { KafkaMessage, KafkaRecord } from './kafka.js';
export { envelopeToKafkaRecord, fromKafkaRecord, toKafkaRecord } from './kafka.js';
export { isExtensionName, RESERVED_ATTRIBUTES } from './names.js';
export type { NatsMessage, NatsRecord } from './nats.js';
export { envelopeToNatsRecord, fromNatsRecord, toNatsRecord } from './nats.js';
