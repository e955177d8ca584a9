import { Server, ServerCredentials } from '@grpc/grpc-js';
import { FaultPlan, type EsdbFault, type EsdbOperation } from './faults.js';
import { featuresService } from './features-service.js';
import { Journal } from './journal.js';
import { MemoryLog } from './memory-log.js';
import { loadProtocol } from './protocol.js';
import type { ProtocolSource } from './protocol-source.js';
import { refusedService } from './refused-services.js';
import { streamsService } from './streams-service.js';

/** What the test server calls itself wherever its results appear. */
export const ESDB_TEST_SERVER_LABEL = 'EventStoreDB test server (emulator)';

export interface EsdbTestServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Bytes of event data one append may carry; EventStoreDB's default is 1 MiB. */
  readonly maxAppendSize?: number;
  /**
   * Keeps the log in this file as well as in memory, and starts with what the file holds: a
   * server in a process of its own, SIGKILLed and started again on the file, has every write it
   * answered. Default: in memory only.
   */
  readonly dataFile?: string;
  /**
   * Whose generated protocol to serve with; default: the client package this process already
   * loaded, else @eventstore/db-client. It must be the one your client uses (see loadProtocol).
   */
  readonly client?: ProtocolSource;
}

/**
 * An in-process stand-in for a single insecure EventStoreDB node: the gRPC Streams service (reads of
 * a stream and of `$all` with server-side filters, catch-up subscriptions, append, batch append,
 * delete, tombstone, stream metadata) and ServerFeatures, in memory. It is a test double built
 * from the official client's protocol definitions — not EventStoreDB — so call its results
 * test-server results.
 */
export interface EsdbTestServer {
  /** `esdb://127.0.0.1:<port>?tls=false`, for `EventStoreDBClient.connectionString`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly label: string;
  readonly running: boolean;
  /** Catch-up subscriptions open now, so a test can check that none is left behind. */
  readonly openSubscriptions: number;
  /** Stops answering at once, as a crash would; the data stays for `start`. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same data. */
  start(): Promise<void>;
  /** Makes the next `times` calls of `operation` fail with `fault`. */
  injectFault(operation: EsdbOperation, fault: EsdbFault, times?: number): void;
  /** Stops for good and forgets planned faults. */
  close(): Promise<void>;
}

const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
/** The client accepts up to 17 MiB; the server takes appends up to its own limit plus framing. */
const MAX_MESSAGE = 17 * 1024 * 1024;

export async function startEsdbTestServer(
  options: EsdbTestServerOptions = {},
): Promise<EsdbTestServer> {
  const protocol = loadProtocol(options.client);
  const host = options.host ?? '127.0.0.1';
  const log = new MemoryLog(
    options.dataFile === undefined ? undefined : new Journal(options.dataFile),
  );
  const faults = new FaultPlan();
  const subscriptions = new Set<() => void>();
  let port = options.port ?? 0;
  let grpc: Server | undefined;

  const stopNow = () => {
    grpc?.forceShutdown();
    grpc = undefined;
    // A stopped server leaves no subscription waiting on the log.
    for (const end of [...subscriptions]) end();
  };

  const listen = async () => {
    const server = new Server({
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
    });
    server.addService(protocol.featuresService, featuresService(protocol));
    server.addService(
      protocol.persistentService,
      refusedService('PersistentSubscriptions', protocol.persistentService),
    );
    server.addService(
      protocol.streamsService,
      streamsService({
        protocol,
        log,
        faults,
        maxAppendSize: options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE,
        leader: {
          host,
          get port() {
            return port;
          },
        },
        crash: stopNow,
        subscriptions,
      }),
    );
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    grpc = server;
  };

  await listen();
  return {
    get url() {
      return `esdb://${host}:${port}?tls=false`;
    },
    host,
    get port() {
      return port;
    },
    label: ESDB_TEST_SERVER_LABEL,
    get running() {
      return grpc !== undefined;
    },
    get openSubscriptions() {
      return subscriptions.size;
    },
    async stop() {
      stopNow();
    },
    async start() {
      if (!grpc) await listen();
    },
    injectFault(operation, fault, times) {
      faults.add(operation, fault, times);
    },
    async close() {
      faults.clear();
      stopNow();
    },
  };
}
