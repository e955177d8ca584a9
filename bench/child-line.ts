import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The first line of a child's output that starts with `prefix`; rejects if the child ends first. */
export function firstLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (!line.startsWith(prefix)) return;
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) =>
      reject(new Error(`bench child exited (${code}) before printing "${prefix}…"`)),
    );
  });
}
