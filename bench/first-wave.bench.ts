/**
 * The concurrent workload against the first wave's code and today's, on the same brokers in one
 * run: 64 streams at once, one event per command, in-memory store + Kafka, then + NATS JetStream.
 * The first wave's side (its last commit, FIRST_WAVE) runs bench/first-wave/workload.mjs — the
 * workload of ticker.ts in that code's API, `load` then `dispatch` per command — inside a copy of
 * that tree under .cache (extracted with `git archive`, `npm ci` and built once: about a minute and
 * 300 MB the first time). Today's side runs ticker.ts's handleCommands through commandHandler.
 * Prints `concurrent <broker> vs first wave: ratio <now/then>x`: what the targets "≥ 10× (Kafka),
 * ≥ 5× (NATS) today's events/s on the same machine" ask, with "today's" measured today.
 * Run: npm run bench -- first-wave   (needs git and the repository's history)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureStream, natsPublisher } from '@eventfan/dispatcher-nats';
import { kafkaPublisher } from '@eventfan/dispatcher-kafka';
import { kafkaBroker, natsBroker } from '@eventfan/testing';
import { Kafka, logLevel } from 'kafkajs';
import { connect, headers } from 'nats';
import { needBroker } from './need-broker.js';
import { formatRate, printTable } from './report.js';
import { bestOf, handleCommands } from './ticker.js';

/** The last commit of the first wave, before this wave's contracts and coalescing. */
const FIRST_WAVE = '9e27b023169dee980b56f007febab149198a4093';
const LANES = 64;
const ROUNDS = 3;
/** Commands per run: the same on both sides, so streams grow as long (replay costs alike). */
const COMMANDS = { kafka: 6_400, nats: 12_800 };
const TARGETS = { kafka: 10, nats: 5 };
const TOPIC = 'eventfan-bench-first-wave';
const STREAM = 'EVENTFAN_BENCH_FIRST_WAVE';
const PREFIX = 'firstwave';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const tree = join(root, '.cache', `first-wave-${FIRST_WAVE.slice(0, 12)}`);

/** The first wave's tree, installed and built; exits with the reason when it cannot be had. */
function firstWaveTree(): void {
  if (existsSync(join(tree, '.built'))) return;
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const steps: [string, string[]][] = [
    ['sh', ['-c', `git archive ${FIRST_WAVE} | tar -x -C "${tree}"`]],
    ['npm', ['ci', '--no-audit', '--no-fund']],
    ['npm', ['run', 'build']],
  ];
  for (const [command, args] of steps) {
    // git archive from the repository's root (from a folder it archives only that folder); npm
    // only in a tree that has its package.json (else npm would take the enclosing project's).
    const cwd = command === 'sh' ? root : tree;
    if (cwd === tree && !existsSync(join(tree, 'package.json'))) {
      console.error(`bench/first-wave: no package.json in ${tree} after git archive`);
      process.exit(1);
    }
    const done = spawnSync(command, args, { cwd, encoding: 'utf8' });
    if (done.status !== 0) {
      console.error(
        `bench/first-wave: ${command} ${args.join(' ')} failed (${done.status}): ${(done.stderr || done.stdout).slice(-600)}`,
      );
      process.exit(1);
    }
  }
  writeFileSync(join(tree, '.built'), `${FIRST_WAVE}\n`);
}

/** The first wave's best rate for `target`, from its workload in a child process. */
function firstWaveRate(target: 'kafka' | 'nats', env: Record<string, string>): number {
  const script = join(tree, 'bench', 'first-wave-workload.mjs');
  copyFileSync(join(here, 'first-wave', 'workload.mjs'), script);
  const done = spawnSync(process.execPath, [script], {
    cwd: tree,
    encoding: 'utf8',
    env: {
      ...process.env,
      ...env,
      TARGET: target,
      COMMANDS: String(COMMANDS[target]),
      LANES: String(LANES),
      ROUNDS: String(ROUNDS),
    },
  });
  const line = done.stdout.trim().split('\n').pop() ?? '';
  if (done.status !== 0 || !line.startsWith('{')) {
    throw new Error(`first wave's ${target} workload failed: ${done.stderr.slice(-600)}`);
  }
  return (JSON.parse(line) as { perSecond: number }).perSecond;
}

firstWaveTree();
const kafkaAt = await needBroker('first-wave', kafkaBroker);
const natsAt = await needBroker('first-wave', natsBroker);
const nc = await connect({ servers: natsAt.url });
try {
  const kafka = new Kafka({ brokers: kafkaAt.url.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  await ensureStream(nc, { name: STREAM, subjects: [`${PREFIX}.>`], update: true });

  const toKafka = kafkaPublisher({
    kafka: { brokers: kafkaAt.url.split(','), logLevel: logLevel.NOTHING },
    topic: () => TOPIC,
  });
  const toNats = natsPublisher({ connection: nc, headers, prefix: PREFIX });
  const rows: [string, string][] = [];
  for (const [name, publisher] of [
    ['kafka', toKafka],
    ['nats', toNats],
  ] as const) {
    const then = firstWaveRate(name, {
      KAFKA_BROKERS: kafkaAt.url,
      NATS_URL: natsAt.url,
      TOPIC,
      STREAM,
      PREFIX,
    });
    await handleCommands([publisher], LANES * 20, LANES); // warm-up, as the first wave's side
    const now = await bestOf(ROUNDS, () => handleCommands([publisher], COMMANDS[name], LANES));
    const ratio = now.perSecond / then;
    console.log(
      `concurrent ${name} vs first wave: ratio ${ratio.toFixed(2)}x (target >= ${TARGETS[name]})`,
    );
    rows.push(
      [`store + ${name}, first wave (dispatch)`, formatRate(then, 7)],
      [`store + ${name}, now (commandHandler)`, formatRate(now.perSecond, 7)],
      [`ratio now / first wave (target >= ${TARGETS[name]})`, `${ratio.toFixed(2)}x`],
    );
  }
  await Promise.all([toKafka.close(), toNats.close()]);
  printTable(
    `first wave (${FIRST_WAVE.slice(0, 7)}) and now: ${LANES} streams at once, one event per command, ${COMMANDS.kafka} (Kafka) and ${COMMANDS.nats} (NATS) commands, best of ${ROUNDS} rounds each; ${kafkaAt.label}; ${natsAt.label}`,
    rows,
  );
} finally {
  await nc.close();
  await kafkaAt.dispose();
  await natsAt.dispose();
}
