import type { IServerFeaturesServer } from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type { Protocol } from './protocol.js';

/**
 * The version the test server reports. A semver the clients accept, with a pre-release tag that
 * says it is not EventStoreDB.
 */
export const TEST_SERVER_VERSION = '24.10.0-eventfan.test.server';

/** Exactly the methods the test server implements, so clients pick BatchAppend and nothing it lacks. */
const SUPPORTED: readonly { service: string; method: string; features?: readonly string[] }[] = [
  { service: 'event_store.client.streams.streams', method: 'read' },
  { service: 'event_store.client.streams.streams', method: 'append' },
  {
    service: 'event_store.client.streams.streams',
    method: 'batchappend',
    features: ['deadline_duration'],
  },
  { service: 'event_store.client.streams.streams', method: 'delete' },
  { service: 'event_store.client.streams.streams', method: 'tombstone' },
  { service: 'event_store.client.server_features.serverfeatures', method: 'getsupportedmethods' },
];

export function featuresService(protocol: Protocol): IServerFeaturesServer {
  const { features } = protocol;
  return {
    getSupportedMethods(_call, callback) {
      const methods = SUPPORTED.map(({ service, method, features: list = [] }) =>
        new features.SupportedMethod()
          .setServiceName(service)
          .setMethodName(method)
          .setFeaturesList([...list]),
      );
      callback(
        null,
        new features.SupportedMethods()
          .setMethodsList(methods)
          .setEventStoreServerVersion(TEST_SERVER_VERSION),
      );
    },
  };
}
