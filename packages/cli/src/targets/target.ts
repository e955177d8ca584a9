import type { Publisher } from '@eventfan/core';

/** Where `replay` and `relay` can publish. */
export const TARGET_NAMES = ['nats', 'kafka'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** A publisher with what it runs on (a connection, a producer), closed together. */
export interface Target {
  readonly publisher: Publisher;
  /** Says where it publishes, for the start line and the summary. */
  readonly description: string;
  close(): Promise<void>;
}

/** The target flags `replay` and `relay` share. */
export interface TargetFlags {
  readonly nats?: string;
  readonly kafka?: string;
  readonly natsStream: string;
  readonly natsPrefix: string;
}
