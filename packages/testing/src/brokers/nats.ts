import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Broker, BrokerProvider, LocalBrokerOptions, MissingBroker } from './broker.js';
import { freePort, ManagedProcess } from './process.js';

const HOW_TO_GET =
  'Set NATS_URL to a nats-server started with -js, or install nats-server 2.10+ (https://github.com/nats-io/nats-server/releases, `go install github.com/nats-io/nats-server/v2@latest` or your package manager) on PATH or at EVENTFAN_NATS_SERVER. Inside the eventfan repo, `npm test` fetches it into .cache/bin.';

/**
 * NATS with JetStream for tests: `NATS_URL`, else a `nats -js` container, else a `nats-server -js`
 * process on a free port with a temp store dir (restartable on the same port and store).
 */
export const natsBroker: BrokerProvider = {
  kind: 'nats',
  envVar: 'NATS_URL',
  howToGet: HOW_TO_GET,
  fromEnv: (url) => ({
    kind: 'nats',
    via: 'env',
    url,
    label: `NATS at ${url} (NATS_URL)`,
    dispose: async () => {},
  }),
  container: startNatsContainer,
  local: (options) => startNatsProcess(options),
};

async function startNatsContainer(): Promise<Broker> {
  const { NatsContainer } = await import('@testcontainers/nats');
  const image = process.env['EVENTFAN_NATS_IMAGE'] ?? 'nats:2.12-alpine';
  const container = await new NatsContainer(image).withJetStream().start();
  return {
    kind: 'nats',
    via: 'testcontainers',
    url: `nats://${container.getHost()}:${container.getMappedPort(4222)}`,
    label: `${image} (testcontainers)`,
    dispose: async () => {
      await container.stop();
    },
  };
}

/**
 * Where the nats-server binary is: `EVENTFAN_NATS_SERVER`, then the repo's `.cache/bin` (where
 * scripts/install-nats.sh puts it), then PATH; undefined when none is executable.
 */
export function findNatsServer(): string | undefined {
  const fromEnv = process.env['EVENTFAN_NATS_SERVER'];
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  // src/brokers and dist/brokers are both four levels below the repo root.
  const cached = fileURLToPath(new URL('../../../../.cache/bin/nats-server', import.meta.url));
  if (isExecutable(cached)) return cached;
  const onPath = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  return onPath.map((dir) => join(dir, 'nats-server')).find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface NatsProcessOptions extends LocalBrokerOptions {
  /**
   * A nats-server config file's text (accounts, permissions, limits…) for tests that need a
   * server set up their way; the port, address, JetStream and store dir still come from here.
   * A config with users needs `no_auth_user` so that the readiness check can connect.
   */
  readonly config?: string;
}

const READY_TIMEOUT_MS = 20_000;

/**
 * A `nats-server -js` process of this test's own on a free port, restartable through `control`;
 * or why none can be started.
 */
export async function startNatsProcess(
  options: NatsProcessOptions = {},
): Promise<Broker | MissingBroker> {
  const binary = findNatsServer();
  if (!binary) {
    const where = process.env['EVENTFAN_NATS_SERVER']
      ? `EVENTFAN_NATS_SERVER=${process.env['EVENTFAN_NATS_SERVER']} is not an executable`
      : 'no nats-server in .cache/bin or on PATH';
    return { kind: 'nats', missing: where };
  }
  const ownDir = options.dataDir === undefined;
  const storeDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'eventfan-nats-')));
  const port = await freePort();
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = join(storeDir, 'nats-server.conf');
    await writeFile(configFile, options.config);
  }
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir];
  if (configFile) args.push('-c', configFile);
  let version = 'unknown';
  const server: ManagedProcess = new ManagedProcess({
    spawn: () => spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
    ready: async () => {
      version = (await waitForJetStream(port, READY_TIMEOUT_MS)).version ?? version;
    },
    exitedEarly: (how): string =>
      `nats-server exited (${how}) before it was ready on port ${port}:\n${server.output.join('\n')}`,
    keepLines: 20,
    // SIGTERM lets JetStream flush its store; SIGKILL only if it does not exit in time.
    stopGraceMs: 5_000,
  });
  try {
    await server.start();
  } catch (error) {
    await server.stop();
    if (ownDir) await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
  return {
    kind: 'nats',
    via: 'process',
    url: `nats://127.0.0.1:${port}`,
    label: `nats-server v${version} (local process)`,
    control: {
      stop: () => server.stop(),
      start: () => server.start(),
      kill: () => server.kill(),
      pause: async () => server.pause(),
      resume: async () => server.resume(),
    },
    dispose: async () => {
      await server.stop();
      if (ownDir) await rm(storeDir, { recursive: true, force: true });
    },
  };
}

interface ServerInfo {
  readonly version?: string;
  readonly jetstream?: boolean;
}

/**
 * Waits until the server accepts connections and its JetStream API answers, speaking the NATS text
 * protocol directly so the fixture needs no client library.
 */
async function waitForJetStream(port: number, timeoutMs: number): Promise<ServerInfo> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await probeJetStream(port, Math.min(2_000, deadline - Date.now()));
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const why = last instanceof Error ? last.message : String(last);
  throw new Error(
    `nats-server on 127.0.0.1:${port} was not ready with JetStream within ${timeoutMs} ms: ${why}`,
  );
}

function probeJetStream(port: number, timeoutMs: number): Promise<ServerInfo> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buffer = '';
    let info: ServerInfo | undefined;
    const done = (error: Error | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(info ?? {});
    };
    const timer = setTimeout(() => done(new Error('no JetStream answer yet')), timeoutMs);
    socket.once('error', (error) => done(error));
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      if (!info) {
        const match = /^INFO (\{.*\}) *\r\n/.exec(buffer);
        if (!match?.[1]) return;
        info = JSON.parse(match[1]) as ServerInfo;
        if (!info.jetstream) return done(new Error('server runs without JetStream'));
        socket.write('CONNECT {"verbose":false,"pedantic":false}\r\nSUB _eventfan.probe 1\r\n');
        socket.write('PUB $JS.API.INFO _eventfan.probe 0\r\n\r\n');
      }
      const reply = /MSG _eventfan\.probe 1 \d+\r\n(.*)\r\n/.exec(buffer);
      if (!reply?.[1]) return;
      const answer = JSON.parse(reply[1]) as { error?: { description?: string } };
      done(
        answer.error ? new Error(`JetStream: ${answer.error.description ?? 'error'}`) : undefined,
      );
    });
  });
}
