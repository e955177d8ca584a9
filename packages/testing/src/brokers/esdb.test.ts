import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { isMissing } from './broker.js';
import { acquireBroker } from './acquire.js';
import { esdbBroker } from './esdb.js';

describe('the ESDB broker fixture', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('given ESDB_CONNECTION_STRING, when a broker is acquired, then it is that server, used as is', async () => {
    vi.stubEnv('ESDB_CONNECTION_STRING', 'esdb://127.0.0.1:2113?tls=false');
    const broker = await acquireBroker(esdbBroker);
    expect(broker).toMatchObject({
      kind: 'esdb',
      via: 'env',
      url: 'esdb://127.0.0.1:2113?tls=false',
    });
  });

  it('given no connection string and no containers, when a broker is acquired, then it is the test server, labelled as one', async () => {
    vi.stubEnv('ESDB_CONNECTION_STRING', '');
    vi.stubEnv('EVENTFAN_NO_CONTAINERS', '1');
    const broker = await acquireBroker(esdbBroker);
    if (isMissing(broker)) throw new Error(broker.missing);
    try {
      expect(broker.via).toBe('test-server');
      expect(broker.label).toMatch(/^EventStoreDB test server \(emulator\).*not EventStoreDB/);
      expect(broker.url).toMatch(/^esdb:\/\/127\.0\.0\.1:\d+\?tls=false$/);
    } finally {
      await broker.dispose();
    }
  });

  it('given its own test server, when it is stopped and started, then a client finds the same events on the same url', async () => {
    const broker = await acquireBroker(esdbBroker, { ownProcess: true });
    if (isMissing(broker) || !broker.control)
      throw new Error('expected a controllable test server');
    const client = EventStoreDBClient.connectionString(broker.url);
    const stream = `fixture-${randomUUID()}`;
    try {
      await client.appendToStream(stream, jsonEvent({ type: 'fixture.made', data: { n: 1 } }));
      await broker.control.stop();
      await broker.control.start();
      const read = async () => {
        const found: unknown[] = [];
        for await (const e of client.readStream(stream)) found.push(e.event?.data);
        return found;
      };
      // The first call after a restart finds the old channel broken; the client reconnects on the next.
      const found = await read().catch(read);
      expect(found).toEqual([{ n: 1 }]);
    } finally {
      await client.dispose();
      await broker.dispose();
    }
  });
});
