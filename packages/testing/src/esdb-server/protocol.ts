import { createRequire } from 'node:module';
import type { ProtocolSource } from './protocol-source.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StatusPb from '@eventstore/db-client/generated/status_pb.js';
import type * as FeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type { PersistentSubscriptionsService } from '@eventstore/db-client/generated/persistent_grpc_pb.js';
import type * as AnyPb from 'google-protobuf/google/protobuf/any_pb.js';
import type * as EmptyPb from 'google-protobuf/google/protobuf/empty_pb.js';

/**
 * The EventStoreDB gRPC protocol as the official client package generated it: service definitions
 * and message classes. The test server is built from these so that it speaks exactly what the client
 * sends; both client packages carry the same v1 protocol.
 */
export interface Protocol {
  /** The npm package the definitions were loaded from. */
  readonly from: string;
  readonly streams: typeof StreamsPb;
  readonly streamsService: typeof StreamsService;
  readonly shared: typeof SharedPb;
  readonly status: typeof StatusPb;
  readonly features: typeof FeaturesPb;
  readonly featuresService: typeof ServerFeaturesService;
  /** Served only to refuse each call clearly. */
  readonly persistentService: typeof PersistentSubscriptionsService;
  readonly Any: typeof AnyPb.Any;
  readonly Empty: typeof EmptyPb.Empty;
}

const SOURCES: readonly { pkg: ProtocolSource; dir: string; persistent: string }[] = [
  { pkg: '@eventstore/db-client', dir: 'generated', persistent: 'persistent_grpc_pb' },
  {
    pkg: '@kurrent/kurrentdb-client',
    dir: 'generated/kurrentdb/protocols/v1',
    persistent: 'persistentsubscriptions_grpc_pb',
  },
];

let loaded: Protocol | undefined;

/**
 * Loads the generated protocol of one client package: the one asked for, else the one this process
 * already loaded, else the first installed. Generated protobuf code registers its classes in one
 * global namespace, so two client packages in one process break each other: the server must share
 * the client's.
 */
export function loadProtocol(prefer?: ProtocolSource): Protocol {
  loaded ??= load(prefer);
  return loaded;
}

function load(prefer: ProtocolSource | undefined): Protocol {
  const here = createRequire(import.meta.url);
  const installed = SOURCES.flatMap(({ pkg, dir, persistent }) => {
    try {
      const from = createRequire(here.resolve(`${pkg}/package.json`));
      return [
        { pkg, dir, persistent, from, inUse: from.resolve(`./${dir}/streams_pb.js`) in here.cache },
      ];
    } catch {
      return [];
    }
  });
  const chosen =
    installed.find((s) => s.pkg === prefer) ?? installed.find((s) => s.inUse) ?? installed[0];
  if (!chosen) {
    throw new Error(
      `The EventStoreDB test server needs the protocol definitions of an EventStoreDB client package; neither ${SOURCES.map((s) => s.pkg).join(' nor ')} is installed. Install @eventstore/db-client (or @kurrent/kurrentdb-client).`,
    );
  }
  const { pkg, dir, persistent, from } = chosen;
  const generated = <T>(name: string): T => from(`./${dir}/${name}.js`) as T;
  return {
    from: pkg,
    streams: generated('streams_pb'),
    streamsService: generated<{ StreamsService: typeof StreamsService }>('streams_grpc_pb')
      .StreamsService,
    shared: generated('shared_pb'),
    status: generated('status_pb'),
    features: generated('serverfeatures_pb'),
    featuresService: generated<{ ServerFeaturesService: typeof ServerFeaturesService }>(
      'serverfeatures_grpc_pb',
    ).ServerFeaturesService,
    persistentService: generated<{
      PersistentSubscriptionsService: typeof PersistentSubscriptionsService;
    }>(persistent).PersistentSubscriptionsService,
    Any: (from('google-protobuf/google/protobuf/any_pb.js') as typeof AnyPb).Any,
    Empty: (from('google-protobuf/google/protobuf/empty_pb.js') as typeof EmptyPb).Empty,
  };
}
