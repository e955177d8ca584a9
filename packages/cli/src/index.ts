// The `eventfan` command line as a library: run it in-process (tests, wrappers) or extend it.
export type { ExitCode } from './errors.js';
export { CliError, EXIT, UsageError } from './errors.js';
export { program } from './program.js';
export { run } from './run.js';
