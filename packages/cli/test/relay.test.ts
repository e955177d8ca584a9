import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEsdbTestServer, type EsdbTestServer } from '@eventfan/testing/esdb-server';
import { describeWithBroker, injectBroker } from '@eventfan/testing/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { at } from './support/at.js';
import { eventfan, linesOf, startEventfan } from './support/bin.js';
import {
  appendToEsdb,
  expectJsonEvent,
  readNatsStream,
  sampleEnvelopes,
  uniqueNats,
  uniqueStream,
} from './support/events.js';

let server: EsdbTestServer;
let dir: string;
beforeAll(async () => {
  server = await startEsdbTestServer();
  dir = await mkdtemp(join(tmpdir(), 'eventfan-cli-relay-'));
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describeWithBroker(
  'nats',
  'eventfan relay (from the EventStoreDB test server, an emulator)',
  (broker) => {
    it('publishes the log to NATS, shows the lag live, stops on SIGINT with its checkpoint saved', async () => {
      const aggregate = `relay${Date.now().toString(36)}`;
      const stream = uniqueStream(aggregate);
      const before = await sampleEnvelopes(stream, 3, { aggregate });
      await appendToEsdb(server.url, before);
      const names = uniqueNats('relay');
      const checkpoints = join(dir, 'nested', 'checkpoints.json');
      const args = [
        'relay',
        '--from-esdb',
        '--to',
        'nats',
        '--checkpoints',
        checkpoints,
        '--aggregates',
        aggregate,
        '--refresh-ms',
        '100',
        '--esdb',
        server.url,
        '--nats',
        broker.url,
        '--nats-stream',
        names.stream,
        '--nats-prefix',
        names.prefix,
      ];

      const relay = startEventfan(args);
      await relay.waitForStderr(/relay running, checkpoints in .*; Ctrl-C to stop/);
      // The live display outside a terminal: a line per target whenever its state changes.
      await relay.waitForStderr(
        /eventfan relay nats: running · published 3 · lag 0 · parked 0 · position \S+/,
      );
      const after = await sampleEnvelopes(stream, 2, { after: 3, aggregate });
      await appendToEsdb(server.url, after);
      await relay.waitForStderr(/eventfan relay nats: running · published 5 · lag 0/);
      relay.kill('SIGINT');
      const ran = await relay.done;
      expect(ran.code).toBe(0);
      const summary = linesOf(ran.stdout);
      expect(summary[0]).toBe(`relay stopped; checkpoints saved in ${checkpoints}`);
      expect(summary[1]).toMatch(
        /^ {2}nats: stopped · published 5 · lag 0 · parked 0 · position \S+$/,
      );

      const saved = JSON.parse(await readFile(checkpoints, 'utf8')) as Record<
        string,
        { position: string; version: number }
      >;
      expect(Object.keys(saved)).toEqual(['relay/nats']);
      const position = at(summary, 1).split('position ')[1];
      expect(saved['relay/nats']?.position).toBe(position);
      expect(saved['relay/nats']?.version).toBeGreaterThanOrEqual(2);
      expect(await readNatsStream(broker.url, names.stream)).toEqual([...before, ...after]);

      // A second run goes on from the checkpoint: nothing is published again.
      const restarted = startEventfan(args);
      await restarted.waitForStderr(/eventfan relay nats: running · published 0 · lag 0/);
      restarted.kill('SIGTERM');
      const second = await restarted.done;
      expect(second.code).toBe(0);
      expect(linesOf(second.stdout)[1]).toMatch(/^ {2}nats: stopped · published 0 · /);
      expect(await readNatsStream(broker.url, names.stream)).toHaveLength(5);
    });

    it('an unreachable target: exit 1 naming it, before the relay starts', async () => {
      const ran = await eventfan([
        'relay',
        '--from-esdb',
        '--to',
        'nats',
        '--checkpoints',
        join(dir, 'never.json'),
        '--esdb',
        server.url,
        '--nats',
        'nats://127.0.0.1:1',
      ]);
      expect(ran.code).toBe(1);
      expect(ran.stderr.trim()).toBe(
        'eventfan: cannot reach NATS at nats://127.0.0.1:1: CONNECTION_REFUSED',
      );
    });
  },
);

describeWithBroker('kafka', 'eventfan relay to NATS and Kafka at once', (kafka) => {
  it('each target from its own checkpoint, both saved on SIGTERM', async () => {
    const nats = injectBroker('nats');
    if ('missing' in nats) throw new Error(nats.missing);
    const aggregate = `relay2${Date.now().toString(36)}`;
    const events = await sampleEnvelopes(uniqueStream(aggregate), 4, { aggregate });
    await appendToEsdb(server.url, events);
    const names = uniqueNats('relay2');
    const checkpoints = join(dir, 'both.json');
    const relay = startEventfan([
      'relay',
      '--from-esdb',
      '--to',
      'nats,kafka',
      '--checkpoints',
      checkpoints,
      '--name',
      'both',
      '--aggregates',
      aggregate,
      '--refresh-ms',
      '100',
      '--esdb',
      server.url,
      '--nats',
      nats.url,
      '--kafka',
      kafka.url,
      '--nats-stream',
      names.stream,
      '--nats-prefix',
      names.prefix,
    ]);
    await relay.waitForStderr(/eventfan relay nats: running · published 4 · lag 0/);
    await relay.waitForStderr(/eventfan relay kafka: running · published 4 · lag 0/, 45_000);
    relay.kill('SIGTERM');
    const ran = await relay.done;
    expect(ran.code).toBe(0);
    const saved = JSON.parse(await readFile(checkpoints, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(saved).sort()).toEqual(['both/kafka', 'both/nats']);
    expect(await readNatsStream(nats.url, names.stream)).toEqual(events);
    const tail = await eventfan(['tail', 'kafka', aggregate, '--json', '--kafka', kafka.url]);
    expect(tail.code).toBe(0);
    linesOf(tail.stdout).forEach((line, i) => expectJsonEvent(line, at(events, i)));
    expect(linesOf(tail.stdout)).toHaveLength(4);
  });
});
