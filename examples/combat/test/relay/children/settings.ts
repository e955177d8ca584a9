/** What a fault test hands its child script, as one JSON argument. */
export interface ChildSettings {
  readonly esdbUrl: string;
  readonly natsUrl: string;
  readonly natsStream: string;
  readonly checkpointsFile: string;
  /** One line per batch handed to a publisher, written before it is sent. */
  readonly sendsFile: string;
  /** For the handler child: publish inline as well as through the relay behind it. */
  readonly inline?: boolean;
}

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
