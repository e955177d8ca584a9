import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs a script of test/children in a Node process of its own, from the sources, with `settings`
 * as its one argument; its stdout is piped, its stderr shown.
 */
export function startChild(script: string, settings: unknown): ChildProcess {
  const path = fileURLToPath(new URL(`./children/${script}`, import.meta.url));
  const child = spawn(
    process.execPath,
    ['--conditions=@eventfan/source', '--import', 'tsx', path, JSON.stringify(settings)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // A child must not outlive a test run that crashed.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  child.once('exit', () => process.removeListener('exit', orphaned));
  return child;
}

/** SIGKILL: the child dies at once, as in a crash or an OOM kill. */
export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
