import { commandHandler, DispatchFailed, InMemoryEventStore, type Publisher } from '@eventfan/core';
import {
  Conformance,
  brokersRequired,
  findNatsServer,
  isMissing,
  startNatsProcess,
  type Broker,
} from '@eventfan/testing';
import { jetstream } from '@nats-io/jetstream';
import { connect as connectV3, headers as headersV3 } from '@nats-io/transport-node';
import { connect, headers, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStream, NatsPublishError, natsPublisher } from '../src/index.js';

/** One account with JetStream; `limited` may not publish under `secret.`. */
const CONFIG = `
accounts {
  APP {
    jetstream: enabled
    users: [
      { user: admin, password: pw }
      { user: limited, password: pw, permissions: { publish: { deny: ["secret.>"] } } }
    ]
  }
}
no_auth_user: admin
`;

const canRun = findNatsServer() !== undefined || brokersRequired();
if (!canRun) {
  console.warn(
    '\n[eventfan] SKIPPING NATS permission tests — they start a configured nats-server and none is installed (bash scripts/install-nats.sh)\n',
  );
}

describe.skipIf(!canRun)('permission denied (own nats-server with per-user permissions)', () => {
  let server: Broker | undefined;
  let admin: NatsConnection;
  let limited: NatsConnection;
  /** Handles one command through a fresh store and `publisher`; resolves with what it threw. */
  const refused = (publisher: Publisher, id: string) =>
    commandHandler({
      aggregate: Conformance,
      store: new InMemoryEventStore(),
      publishers: [publisher],
    })
      .handle(id, { type: 'Tick', n: 1 })
      .catch((e: unknown) => e);
  const uniqueId = () => `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  beforeAll(async () => {
    const started = await startNatsProcess({ config: CONFIG });
    if (isMissing(started)) throw new Error(started.missing);
    server = started;
    admin = await connect({ servers: server.url });
    limited = await connect({ servers: server.url, user: 'limited', pass: 'pw' });
    await ensureStream(admin, { name: 'SECRET', subjects: ['secret.>'], storage: 'memory' });
  });
  afterAll(async () => {
    await limited?.close();
    await admin?.close();
    await server?.dispose();
  });

  it('given a user who may not publish there, when a command is handled, then DispatchFailed (not retriable) carries the NatsPublishError naming the subject', async () => {
    const publisher = natsPublisher({ connection: limited, headers, prefix: 'secret' });
    const id = uniqueId();
    const stream = Conformance.streamOf(id);
    const error = await refused(publisher, id);
    expect(error).toBeInstanceOf(DispatchFailed);
    expect(error).toMatchObject({ retriable: false });
    const cause = (error as DispatchFailed).failures[0]?.error;
    expect(cause).toBeInstanceOf(NatsPublishError);
    expect(cause).toMatchObject({
      code: 'NATS_PERMISSION_DENIED',
      subject: `secret.conformance.${stream}`,
      retriable: false,
    });
    expect((error as Error).message).toContain(
      `could not publish to subject "secret.conformance.${stream}": permission denied`,
    );
  });

  it('given the 3.x client and a user who may not publish there, when a command is handled, then the same NatsPublishError comes out', async () => {
    const nc = await connectV3({ servers: server?.url ?? '', user: 'limited', pass: 'pw' });
    try {
      const publisher = natsPublisher({
        connection: nc,
        jetstream: jetstream(nc),
        headers: headersV3,
        prefix: 'secret',
      });
      const error = await refused(publisher, uniqueId());
      expect((error as DispatchFailed).failures[0]?.error).toMatchObject({
        code: 'NATS_PERMISSION_DENIED',
      });
    } finally {
      await nc.close();
    }
  });
});
