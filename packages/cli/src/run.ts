import { CommanderError } from 'commander';
import { CliError, EXIT, messageOf, type ExitCode } from './errors.js';
import { program } from './program.js';

/**
 * Runs the command line (`process.argv` shape) and resolves with the exit code: 0 ok, 1 a runtime
 * failure (said on stderr in one line), 2 a usage error (commander already printed it).
 */
export async function run(argv: readonly string[]): Promise<ExitCode> {
  try {
    await program().parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    process.stderr.write(`eventfan: ${messageOf(error)}\n`);
    if (error instanceof CliError) {
      if (error.exitCode === EXIT.usage) process.stderr.write('(add --help for usage)\n');
      return error.exitCode;
    }
    return EXIT.failure;
  }
}
