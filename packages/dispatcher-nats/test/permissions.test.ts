import { DispatchFailed, dispatch, initial } from '@eventfan/core';
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
import { ensureStream, NatsDispatchError, natsDispatcher } from '../src/index.js';

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
  const current = () => ({ ...initial(Conformance, 'x'), stream: `s${Date.now().toString(36)}` });

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

  it('given a user who may not publish there, when dispatched, then NatsDispatchError names the subject and dispatch() reports DispatchFailed with it', async () => {
    const dispatcher = natsDispatcher({ connection: limited, headers, prefix: 'secret' });
    const target = current();
    const error = await dispatch(Conformance, target, { type: 'Tick', n: 1 }, [dispatcher]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DispatchFailed);
    const cause = (error as DispatchFailed).failures[0]?.error;
    expect(cause).toBeInstanceOf(NatsDispatchError);
    expect(cause).toMatchObject({
      code: 'NATS_PERMISSION_DENIED',
      subject: `secret.conformance.${target.stream}`,
    });
    expect((error as Error).message).toContain(
      `could not publish to subject "secret.conformance.${target.stream}": permission denied`,
    );
  });

  it('given the 3.x client and a user who may not publish there, when dispatched, then the same NatsDispatchError comes out', async () => {
    const nc = await connectV3({ servers: server?.url ?? '', user: 'limited', pass: 'pw' });
    try {
      const dispatcher = natsDispatcher({
        connection: nc,
        jetstream: jetstream(nc),
        headers: headersV3,
        prefix: 'secret',
      });
      const target = current();
      const error = await dispatch(Conformance, target, { type: 'Tick', n: 1 }, [dispatcher]).catch(
        (e: unknown) => e,
      );
      expect((error as DispatchFailed).failures[0]?.error).toMatchObject({
        code: 'NATS_PERMISSION_DENIED',
      });
    } finally {
      await nc.close();
    }
  });
});
