import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect } from 'nats';
import { describe, expect, it } from 'vitest';

// The commands as a user runs them, from the repo root; each must finish by itself in time.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const npm = (args: string[], timeout: number) =>
  promisify(execFile)('npm', ['run', '-s', ...args], {
    cwd: root,
    timeout,
    killSignal: 'SIGKILL',
    // The brokers are the ones the command starts, not any the env names.
    env: { ...process.env, NATS_URL: '', KAFKA_BROKERS: '', ESDB_CONNECTION_STRING: '' },
  });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local brokers', () => {
  it('npm run demo -- --local-brokers fans out to all three, then stops them', async () => {
    const { stdout } = await npm(['demo', '--', '--local-brokers'], 240_000);
    expect(stdout).toMatch(/started EventStoreDB test server \(emulator\)/);
    for (const target of ['eventstoredb', 'kafka', 'nats'])
      expect(stdout).toContain(`receipt from ${target}:`);
    expect(stdout).toMatch(/kills: 1/);
  }, 300_000);

  it('npm run brokers:up prints the exports; brokers:down stops them', async () => {
    const up = await npm(['brokers:up'], 240_000);
    try {
      const exports = /^export (.*)$/m.exec(up.stdout)?.[1] ?? '';
      const env = Object.fromEntries(
        exports.split(' ').map((pair) => {
          const [name, value] = pair.split(/=(.*)/);
          return [name, value?.replace(/^'|'$/g, '')];
        }),
      );
      expect(Object.keys(env)).toEqual(['NATS_URL', 'KAFKA_BROKERS', 'ESDB_CONNECTION_STRING']);
      // Each URL whole: `up` once printed NATS_URL='' after reading a URL file not yet written.
      expect(env).toMatchObject({
        NATS_URL: expect.stringMatching(/^nats:\/\/127\.0\.0\.1:\d+$/),
        KAFKA_BROKERS: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        ESDB_CONNECTION_STRING: expect.stringMatching(/^esdb:\/\/127\.0\.0\.1:\d+/),
      });
      // Should it refuse anyway, say what the broker's process and log showed.
      const nc = await connect({ servers: env['NATS_URL'] }).catch((error: unknown) => {
        const pid = Number(readFileSync(`${root}/.cache/brokers/nats.pid`, 'utf8'));
        const log = readFileSync(`${root}/.cache/brokers/nats.log`, 'utf8');
        throw new Error(
          `NATS at ${env['NATS_URL']} refused (${String(error)}); its process ${pid} is ${alive(pid) ? 'alive' : 'gone'}; up printed:\n${up.stderr}\nnats.log:\n${log}`,
        );
      });
      await nc.close();
    } finally {
      const pidFile = (kind: string) => `${root}/.cache/brokers/${kind}.pid`;
      const pids = ['nats', 'kafka', 'esdb']
        .filter((kind) => existsSync(pidFile(kind)))
        .map((kind) => Number(readFileSync(pidFile(kind), 'utf8')));
      await npm(['brokers:down'], 60_000);
      expect(pids.filter(alive)).toEqual([]);
    }
  }, 300_000);
});
