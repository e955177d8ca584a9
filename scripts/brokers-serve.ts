// One broker in a detached process of its own, for `npm run brokers:up`: starts it through
// @eventfan/testing's fixture, writes its URL to .cache/brokers/<kind>.url once it answers, and
// stops it on SIGTERM/SIGINT (`npm run brokers:down`). Usage: brokers-serve.ts nats|kafka|esdb
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireBroker, isMissing, kafkaBroker, startNatsProcess } from '@eventfan/testing';
import { startEsdbTestServer } from '@eventfan/testing/esdb-server';

const kind = process.argv[2];
const dir = join(import.meta.dirname, '..', '.cache', 'brokers');

async function start(): Promise<{ url: string; label: string; stop(): Promise<void> }> {
  if (kind === 'esdb') {
    const server = await startEsdbTestServer();
    return { url: server.url, label: server.label, stop: () => server.close() };
  }
  const broker =
    kind === 'nats'
      ? await startNatsProcess()
      : await acquireBroker(kafkaBroker, { ownProcess: true });
  if (isMissing(broker)) throw new Error(`cannot start ${kind}: ${broker.missing}`);
  return { url: broker.url, label: broker.label, stop: () => broker.dispose() };
}

if (kind !== 'nats' && kind !== 'kafka' && kind !== 'esdb') {
  console.error('usage: brokers-serve.ts nats|kafka|esdb');
  process.exit(2);
}
const broker = await start();
console.log(`${broker.label} at ${broker.url}`);
// Written aside, then renamed: `up` reads the file as soon as it exists, and a file written in
// place exists, empty, before its URL is in it (an `export NATS_URL=''` was printed that way).
await writeFile(join(dir, `${kind}.url.tmp`), broker.url);
await rename(join(dir, `${kind}.url.tmp`), join(dir, `${kind}.url`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await broker.stop();
    await rm(join(dir, `${kind}.url`), { force: true });
    process.exit(0);
  });
}
// Held open until a signal comes, whatever handles the broker keeps.
setInterval(() => {}, 1 << 30);
