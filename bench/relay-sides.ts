import type { Envelope, Publisher } from '@eventfan/core';

/** One broker in the relay benchmark: the relay's publisher and the raw client beside it. */
export interface RelaySide {
  readonly broker: string;
  readonly publisher: Publisher;
  /** Publishes one page as the raw client would: its streams' runs, each in order. */
  rawPage(runs: readonly Envelope[][]): Promise<void>;
  /** Empties the stream or topic between runs (untimed). */
  reset(): Promise<void>;
  close(): Promise<void>;
}
