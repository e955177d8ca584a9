/**
 * CPU the local brokers (nats-server, Kafka's JVM) have used, from /proc: on 2 cores they compete
 * with the application, so a benchmark's rate may say as much about their CPU as about ours.
 * Counts only brokers this process or its parent started (the bench's own fixture, or
 * `npm run bench`'s shared brokers), not other brokers on the machine. 0 where there is no /proc.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const BROKERS = new Set(['nats-server', 'java']);
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Milliseconds of CPU (user + system) our brokers have used since they started. */
export function brokerCpuMs(): number {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  const parents = new Set([process.pid, process.ppid]);
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // `pid (comm) state ppid …`: comm may hold spaces, so split after its closing parenthesis.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!BROKERS.has(comm) || !parents.has(Number(fields[1]))) continue;
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return (ticks / ticksPerSecond) * 1000;
}
