import type { TargetAt } from '../support/targets.js';

/** What a fault test hands its child script, as one JSON argument. */
export interface ChildSettings {
  readonly esdbUrl: string;
  readonly targets: readonly TargetAt[];
  /** Names the run's NATS stream, Kafka topic… */
  readonly run: string;
  readonly checkpointsFile: string;
  /** Where each target's sends are recorded (`<sendsFile>.<kind>`), see sendsFileOf. */
  readonly sendsFile: string;
  /** For the handler child: publish inline as well as through the relay behind it. */
  readonly inline?: boolean;
}

export const sendsFileOf = (settings: Pick<ChildSettings, 'sendsFile'>, kind: string): string =>
  `${settings.sendsFile}.${kind}`;

export function childSettings(): ChildSettings {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: <script> <settings as JSON>');
  return JSON.parse(raw) as ChildSettings;
}

/** Resolves when the test writes `finish` on stdin. */
export function finishRequested(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('finish')) resolve();
    });
  });
}

/** Prints `progress <n>` every few milliseconds for the test's kill schedule. */
export function reportProgress(progress: () => number): () => void {
  const timer = setInterval(() => console.log(`progress ${progress()}`), 10);
  return () => clearInterval(timer);
}
