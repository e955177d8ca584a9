import { startEsdbTestServer, type EsdbTestServer } from '@eventfan/testing/esdb-server';
import { describeWithBroker, injectBroker } from '@eventfan/testing/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { at } from './support/at.js';
import { eventfan, linesOf } from './support/bin.js';
import {
  appendToEsdb,
  expectJsonEvent,
  readNatsStream,
  sampleEnvelopes,
  uniqueNats,
  uniqueStream,
} from './support/events.js';

let server: EsdbTestServer;
beforeAll(async () => {
  server = await startEsdbTestServer();
});
afterAll(() => server?.close());

describeWithBroker(
  'nats',
  'eventfan replay (from the EventStoreDB test server, an emulator)',
  (broker) => {
    const replay = (source: string, names: { prefix: string; stream: string }, ...more: string[]) =>
      eventfan([
        'replay',
        '--from-esdb',
        source,
        '--to',
        'nats',
        '--esdb',
        server.url,
        '--nats',
        broker.url,
        '--nats-stream',
        names.stream,
        '--nats-prefix',
        names.prefix,
        ...more,
      ]);

    it('a stream into NATS: a summary per target, the events in JetStream; again: all duplicates', async () => {
      const events = await sampleEnvelopes(uniqueStream('replay'), 3);
      await appendToEsdb(server.url, events);
      await appendToEsdb(server.url, await sampleEnvelopes(uniqueStream('elsewhere'), 2));
      const names = uniqueNats('replay');

      const ran = await replay(at(events, 0).stream, names);
      expect(ran.code).toBe(0);
      const summary = linesOf(ran.stdout);
      expect(summary[0]).toMatch(
        new RegExp(
          `^replayed 3 events of ${at(events, 0).stream} in \\d+\\.\\d s \\(\\d+ events/s\\)$`,
        ),
      );
      expect(summary[1]).toBe(
        '  nats: 3 published, 0 duplicates (already there, not stored again), 0 refused',
      );
      expect(summary[2]).toMatch(/^Replaying is safe: events keep their ids/);
      expect(ran.stderr).toContain(
        `replaying ${at(events, 0).stream} to NATS JetStream stream ${names.stream}`,
      );
      // The progress bar, as it draws outside a terminal: one line per second and one at the end.
      expect(ran.stderr).toMatch(/replay .*100% \| 3\/3 events \| \d+ events\/s/);
      expect(await readNatsStream(broker.url, names.stream)).toEqual(events);

      const again = await replay(at(events, 0).stream, names);
      expect(again.code).toBe(0);
      expect(linesOf(again.stdout)[1]).toBe(
        '  nats: 3 published, 3 duplicates (already there, not stored again), 0 refused',
      );
      expect(await readNatsStream(broker.url, names.stream)).toEqual(events);
    });

    it('$all of some aggregates, counted first for the bar', async () => {
      const aggregate = `agg${Date.now().toString(36)}`;
      const first = await sampleEnvelopes(uniqueStream(aggregate), 2, { aggregate });
      const second = await sampleEnvelopes(uniqueStream(aggregate), 3, { aggregate });
      await appendToEsdb(server.url, first);
      await appendToEsdb(server.url, await sampleEnvelopes(uniqueStream('other'), 2));
      await appendToEsdb(server.url, second);
      const names = uniqueNats('all');

      const ran = await replay('$all', names, '--aggregates', aggregate, '--page-size', '2');
      expect(ran.code).toBe(0);
      expect(linesOf(ran.stdout)[0]).toMatch(/^replayed 5 events of \$all in /);
      expect(linesOf(ran.stdout)[1]).toBe(
        '  nats: 5 published, 0 duplicates (already there, not stored again), 0 refused',
      );
      expect(ran.stderr).toMatch(/100% \| 5\/5 events/);
      expect(await readNatsStream(broker.url, names.stream)).toEqual([...first, ...second]);
    });

    it('--no-count shows a counter instead of a bar', async () => {
      const aggregate = `cnt${Date.now().toString(36)}`;
      const events = await sampleEnvelopes(uniqueStream(aggregate), 2, { aggregate });
      await appendToEsdb(server.url, events);
      const ran = await replay(
        '$all',
        uniqueNats('nocount'),
        '--aggregates',
        aggregate,
        '--no-count',
      );
      expect(ran.code).toBe(0);
      expect(ran.stderr).toMatch(/replay \| 2 events \| \d+ events\/s/);
      expect(ran.stderr).not.toContain('%');
    });

    it('a stream that does not exist: exit 1 naming it', async () => {
      const ran = await replay('no-such-stream', uniqueNats('missing'));
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain(
        `EventStoreDB stream "no-such-stream" does not exist at ${server.url}`,
      );
    });
  },
);

describeWithBroker('kafka', 'eventfan replay into NATS and Kafka at once', (kafka) => {
  it('publishes to both; the summary counts each target', async () => {
    const natsUrl = injectBroker('nats');
    if ('missing' in natsUrl) throw new Error(natsUrl.missing);
    const aggregate = `both${Date.now().toString(36)}`;
    const events = await sampleEnvelopes(uniqueStream(aggregate), 3, { aggregate });
    await appendToEsdb(server.url, events);
    const names = uniqueNats('both');
    const ran = await eventfan([
      'replay',
      '--from-esdb',
      at(events, 0).stream,
      '--to',
      'nats,kafka',
      '--esdb',
      server.url,
      '--nats',
      natsUrl.url,
      '--kafka',
      kafka.url,
      '--nats-stream',
      names.stream,
      '--nats-prefix',
      names.prefix,
    ]);
    expect(ran.stderr).not.toContain('refused');
    expect(ran.code).toBe(0);
    const summary = linesOf(ran.stdout);
    expect(summary[1]).toBe(
      '  nats: 3 published, 0 duplicates (already there, not stored again), 0 refused',
    );
    expect(summary[2]).toBe(
      '  kafka: 3 published, 0 duplicates (already there, not stored again), 0 refused',
    );
    expect(await readNatsStream(natsUrl.url, names.stream)).toEqual(events);
    // Kafka's topic is the aggregate's name; read back with the bin's own tail (tested on its own).
    const tail = await eventfan(['tail', 'kafka', aggregate, '--json', '--kafka', kafka.url]);
    expect(tail.code).toBe(0);
    const lines = linesOf(tail.stdout);
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => expectJsonEvent(line, at(events, i)));
  });
});
