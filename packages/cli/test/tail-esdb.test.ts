import { startEsdbTestServer, type EsdbTestServer } from '@eventfan/testing/esdb-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at } from './support/at.js';
import { eventfan, linesOf, startEventfan } from './support/bin.js';
import {
  appendToEsdb,
  expectJsonEvent,
  expectLine,
  sampleEnvelopes,
  uniqueStream,
} from './support/events.js';

// The EventStoreDB test server (emulator) runs in this process; the bin reaches it over gRPC.
let server: EsdbTestServer;
beforeAll(async () => {
  server = await startEsdbTestServer();
});
afterAll(() => server?.close());

describe('eventfan tail esdb [EventStoreDB test server (emulator)]', () => {
  it('prints a stream, one line per event, and stops at its end', async () => {
    const events = await sampleEnvelopes(uniqueStream('tail'), 3);
    await appendToEsdb(server.url, events);
    const ran = await eventfan(['tail', 'esdb', at(events, 0).stream, '--esdb', server.url]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const lines = linesOf(ran.stdout);
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => expectLine(line, at(events, i)));
  });

  it('--json prints CloudEvents the SDK reads back', async () => {
    const events = await sampleEnvelopes(uniqueStream('json'), 2);
    await appendToEsdb(server.url, events);
    const ran = await eventfan(['tail', 'esdb', at(events, 0).stream, '--json'], {
      ESDB_CONNECTION_STRING: server.url,
    });
    expect(ran.code).toBe(0);
    const lines = linesOf(ran.stdout);
    expect(lines).toHaveLength(2);
    lines.forEach((line, i) => expectJsonEvent(line, at(events, i)));
  });

  it('--max stops after that many events (a read cut short still closes)', async () => {
    const events = await sampleEnvelopes(uniqueStream('max'), 3);
    await appendToEsdb(server.url, events);
    const ran = await eventfan([
      'tail',
      'esdb',
      at(events, 0).stream,
      '-n',
      '1',
      '--esdb',
      server.url,
    ]);
    expect(ran.code).toBe(0);
    expect(linesOf(ran.stdout)).toHaveLength(1);
    expectLine(at(linesOf(ran.stdout), 0), at(events, 0));
  });

  it('$all prints every stream in commit order', async () => {
    const first = await sampleEnvelopes(uniqueStream('all1'), 2);
    const second = await sampleEnvelopes(uniqueStream('all2'), 2);
    await appendToEsdb(server.url, first);
    await appendToEsdb(server.url, second);
    const ran = await eventfan(['tail', 'esdb', '$all', '--esdb', server.url]);
    expect(ran.code).toBe(0);
    const mine = linesOf(ran.stdout).filter((l) => /\tall[12]-/.test(l));
    expect(mine).toHaveLength(4);
    [...first, ...second].forEach((envelope, i) => expectLine(at(mine, i), envelope));
  });

  it('--follow prints what is appended next, until SIGINT (exit 0)', async () => {
    const stream = uniqueStream('follow');
    await appendToEsdb(server.url, await sampleEnvelopes(stream, 2));
    const tail = startEventfan(['tail', 'esdb', stream, '--follow', '--esdb', server.url]);
    await tail.waitForStderr(/following EventStoreDB stream .* from the end; Ctrl-C to stop/);
    const after = await sampleEnvelopes(stream, 2, { after: 2 });
    await appendToEsdb(server.url, after);
    const lines = await tail.waitForLines(2);
    tail.kill('SIGINT');
    const ran = await tail.done;
    expect(ran.code).toBe(0);
    expect(linesOf(ran.stdout)).toHaveLength(2);
    lines.forEach((line, i) => expectLine(line, at(after, i)));
  });

  it('a stream that does not exist: exit 1 naming it and the node', async () => {
    const ran = await eventfan(['tail', 'esdb', 'no-such-stream', '--esdb', server.url]);
    expect(ran.code).toBe(1);
    expect(ran.stderr.trim()).toBe(
      `eventfan: EventStoreDB stream "no-such-stream" does not exist at ${server.url}`,
    );
  });
});
