export type BrokerKind = 'nats' | 'kafka' | 'esdb';

/**
 * How a broker was had: a URL the user gave, a container, a local process the fixture started, or
 * (for EventStoreDB only) the in-process wire-protocol test server — an emulator, not EventStoreDB.
 */
export type BrokerVia = 'env' | 'testcontainers' | 'process' | 'test-server';

/** A broker a test can talk to. */
export interface Broker {
  readonly kind: BrokerKind;
  readonly via: BrokerVia;
  /** NATS server URL, Kafka bootstrap list (`host:port,…`) or ESDB connection string. */
  readonly url: string;
  /** Says what it is, for logs and reports, e.g. `nats-server v2.12.1 (local process)`. */
  readonly label: string;
  /**
   * Only for brokers this fixture started (process, test server): stop the broker and start it
   * again on the same data and port, for fault tests.
   */
  readonly control?: BrokerControl;
  dispose(): Promise<void>;
}

export interface BrokerControl {
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * Kills the broker process (SIGKILL): no shutdown, nothing flushed that the process held, as in
   * a crash. `start()` brings it back on the same data. Only brokers that run as a process.
   */
  kill?(): Promise<void>;
  /**
   * Freezes the broker process (SIGSTOP): it keeps its sockets but answers nothing, as a broker
   * in a long GC pause or on a stalled disk does. Only brokers that run as a process of their own.
   */
  pause?(): Promise<void>;
  /** Lets a paused broker run again (SIGCONT). */
  resume?(): Promise<void>;
}

/** Why no broker could be had, and how to get one. */
export interface MissingBroker {
  readonly kind: BrokerKind;
  readonly missing: string;
}

/** One broker kind's ways of being had, tried in the order of the fixture chain. */
export interface BrokerProvider {
  readonly kind: BrokerKind;
  /** `NATS_URL`, `KAFKA_BROKERS`, `ESDB_CONNECTION_STRING`. */
  readonly envVar: string;
  /** One line on how to get this broker, for the skip message. */
  readonly howToGet: string;
  /** Wraps a user-given URL (step 1). */
  fromEnv(url: string): Broker;
  /** Starts a container (step 2); called only when a container runtime answers. */
  container?(): Promise<Broker>;
  /** Starts a local process or in-process server (step 3), or says why it cannot. */
  local?(options: LocalBrokerOptions): Promise<Broker | MissingBroker>;
}

export interface LocalBrokerOptions {
  /** A directory the broker may keep its data in; the fixture makes a temp one when absent. */
  readonly dataDir?: string;
}

export function isMissing(value: Broker | MissingBroker): value is MissingBroker {
  return 'missing' in value;
}
