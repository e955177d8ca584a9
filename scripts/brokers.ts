// `npm run brokers:up` / `brokers:down`: NATS (JetStream), Kafka and EventStoreDB for your own use.
// With a container engine that answers: docker compose (docker-compose.yml, the real KurrentDB).
// Otherwise local processes: nats-server and Kafka's jars (fetched into .cache as `npm test`
// does) and the EventStoreDB test server (emulator), each in a detached node process of its own,
// with pid, url and log files under .cache/brokers/. `up` prints the env vars to export.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(import.meta.dirname, '..');
const dir = join(root, '.cache', 'brokers');
const KINDS = ['nats', 'kafka', 'esdb'] as const;
const ENV = { nats: 'NATS_URL', kafka: 'KAFKA_BROKERS', esdb: 'ESDB_CONNECTION_STRING' } as const;
/** docker-compose.yml's ports. */
const COMPOSE_URLS = {
  nats: 'nats://127.0.0.1:4222',
  kafka: '127.0.0.1:9092',
  esdb: 'esdb://127.0.0.1:2113?tls=false',
};
const UP_TIMEOUT_MS = 180_000;
const file = (name: string) => join(dir, name);

const containerEngine = () =>
  spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pidOf = (kind: string) =>
  existsSync(file(`${kind}.pid`)) ? Number(readFileSync(file(`${kind}.pid`), 'utf8')) : undefined;

function printExports(urls: Record<(typeof KINDS)[number], string>): void {
  const quote = (v: string) => (/^[\w./:@,-]+$/.test(v) ? v : `'${v}'`);
  console.log(`export ${KINDS.map((k) => `${ENV[k]}=${quote(urls[k])}`).join(' ')}`);
}

async function up(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (containerEngine()) {
    execFileSync('docker', ['compose', 'up', '-d', '--wait'], { cwd: root, stdio: 'inherit' });
    writeFileSync(file('compose'), '');
    return printExports(COMPOSE_URLS);
  }
  // The fixtures fetch nothing themselves; this says "already there" when .cache has them.
  execFileSync('bash', [join(root, 'scripts/install-brokers.sh')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, EVENTFAN_REQUIRE_BROKERS: '1' },
  });
  for (const kind of KINDS) {
    const pid = pidOf(kind);
    if (pid !== undefined && alive(pid)) continue; // already up: keep it
    rmSync(file(`${kind}.url`), { force: true });
    const log = openSync(file(`${kind}.log`), 'w');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@eventfan/source', 'scripts/brokers-serve.ts', kind],
      { cwd: root, detached: true, stdio: ['ignore', log, log] },
    );
    child.unref();
    writeFileSync(file(`${kind}.pid`), String(child.pid));
  }
  const deadline = Date.now() + UP_TIMEOUT_MS;
  const urls: Partial<Record<(typeof KINDS)[number], string>> = {};
  for (const kind of KINDS) {
    while (!existsSync(file(`${kind}.url`))) {
      const pid = pidOf(kind);
      if (pid === undefined || !alive(pid) || Date.now() > deadline) {
        const tail = readFileSync(file(`${kind}.log`), 'utf8')
          .trim()
          .split('\n')
          .slice(-10);
        await down();
        throw new Error(
          `${kind} did not come up (.cache/brokers/${kind}.log):\n${tail.join('\n')}`,
        );
      }
      await sleep(200);
    }
    urls[kind] = readFileSync(file(`${kind}.url`), 'utf8');
    console.error(
      readFileSync(file(`${kind}.log`), 'utf8')
        .trim()
        .split('\n')
        .at(-1),
    );
  }
  printExports(urls as Record<(typeof KINDS)[number], string>);
}

async function down(): Promise<void> {
  if (existsSync(file('compose'))) {
    execFileSync('docker', ['compose', 'down'], { cwd: root, stdio: 'inherit' });
    rmSync(file('compose'));
    return;
  }
  await Promise.all(
    KINDS.map(async (kind) => {
      const pid = pidOf(kind);
      if (pid !== undefined && alive(pid)) {
        process.kill(pid, 'SIGTERM'); // the broker's process stops it, then exits
        const deadline = Date.now() + 30_000;
        while (alive(pid) && Date.now() < deadline) await sleep(100);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        console.error(`stopped ${kind} (pid ${pid})`);
      }
      for (const ext of ['pid', 'url']) rmSync(file(`${kind}.${ext}`), { force: true });
    }),
  );
}

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else {
  console.error('usage: brokers.ts up|down');
  process.exit(2);
}
