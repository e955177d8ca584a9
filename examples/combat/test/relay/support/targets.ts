import type { Publisher } from '@eventfan/core';
import type { TalliedEvent } from '@eventfan/testing';
import { kafkaFaultTarget } from './kafka-target.js';
import { natsFaultTarget } from './nats-target.js';

export type TargetKind = 'nats' | 'kafka';

/** A broker the fault tests relay to, as the test and its children both set it up. */
export interface FaultTarget {
  readonly kind: TargetKind;
  /** True where the broker drops a re-sent id, so exactly one copy of each event is expected. */
  readonly dedupes: boolean;
  /** Creates the run's stream or topic, on storage that survives a SIGKILL. */
  create(url: string, run: string): Promise<void>;
  connect(url: string, run: string): Promise<TargetConnection>;
  /** Every message of the run, read by a plain client of the broker's own. */
  read(url: string, run: string): Promise<TalliedEvent[]>;
}

export interface TargetConnection {
  /** A new publisher over the connection (a relay's, or the handler's inline one). */
  publisher(): Publisher;
  close(): Promise<void>;
}

export const FAULT_TARGETS: Readonly<Record<TargetKind, FaultTarget>> = {
  nats: natsFaultTarget,
  kafka: kafkaFaultTarget,
};

/** A broker a test got, as its children are told of it. */
export interface TargetAt {
  readonly kind: TargetKind;
  readonly url: string;
}
