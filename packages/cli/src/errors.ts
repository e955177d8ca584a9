/** The exit codes of `eventfan`, as the README documents them. */
export const EXIT = {
  ok: 0,
  /** Something failed while running: a broker unreachable, a publish refused, a stream missing. */
  failure: 1,
  /** The command line was wrong: commander's usage errors and our own argument checks. */
  usage: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI explains in one message (no stack) and exits with. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad argument found after commander parsed the line (e.g. no broker address anywhere). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** The message of anything thrown, for one line on stderr. */
export function messageOf(error: unknown): string {
  // gRPC errors of the ESDB clients end with an empty "Resolution note: ".
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*(Resolution note:)?\s*$/, '');
}
