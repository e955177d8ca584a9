import type { Publisher } from '@eventfan/core';
import { describePublisherConformance, type PublisherHarness } from '@eventfan/testing/conformance';
import { describeWithBroker, type ProvidedBroker } from '@eventfan/testing/vitest';
import { connect, headers, type Msg, type NatsConnection } from 'nats';
import {
  coreNatsPublisher,
  natsPublisher,
  subjectToken,
  type NatsPublisherOptions,
} from '../src/index.js';
import { decodeWithSdk, readSubject, streamFor, uniqueNames } from './support.js';

type Running = Exclude<ProvidedBroker, { missing: string }>;
type Mode = Pick<NatsPublisherOptions, 'checkGeneration' | 'encoding'> & { core?: boolean };

/** The suite's harness over one connection; `mode` picks JetStream options or core NATS. */
function harness(broker: Running, mode: Mode): () => Promise<PublisherHarness> {
  return async () => {
    const nc = await connect({ servers: broker.url });
    const names = uniqueNames('conf');
    const heard = mode.core ? await listen(nc, `${names.prefix}.>`) : undefined;
    if (!mode.core) await streamFor(nc, names);
    const make = (connection: NatsConnection, name: string): Publisher => {
      const base = { connection, headers, prefix: names.prefix, name, timeoutMs: 2_000 };
      return mode.core
        ? coreNatsPublisher(base)
        : natsPublisher({
            ...base,
            checkGeneration: mode.checkGeneration,
            encoding: mode.encoding,
          });
    };
    const publisher = make(nc, 'nats');
    return {
      publisher,
      readBack: async (stream, atLeast) => {
        const subject = `${names.prefix}.conformance.${subjectToken(stream)}`;
        const messages = heard
          ? await heard(subject, atLeast)
          : await readSubject(nc, names.stream, subject, atLeast);
        return messages.map((m) => ({ ...decodeWithSdk(m).toJSON() }));
      },
      // A connection that is gone: every publish must fail as BrokerUnavailable naming the target.
      unreachable: async () => {
        const dead = await connect({ servers: broker.url });
        await dead.close();
        return make(dead, 'nats-unreachable');
      },
      close: async () => {
        await publisher.close();
        if (!nc.isClosed()) await nc.close();
      },
    };
  };
}

type Listener = (subject: string, atLeast: number) => Promise<Msg[]>;

/** Core NATS read-back: a subscriber that was listening before anything was published. */
async function listen(nc: NatsConnection, subjects: string): Promise<Listener> {
  const heard = new Map<string, Msg[]>();
  nc.subscribe(subjects, {
    callback: (_error, m) => heard.set(m.subject, [...(heard.get(m.subject) ?? []), m]),
  });
  await nc.flush();
  return async (subject, atLeast) => {
    const deadline = Date.now() + 5_000;
    while ((heard.get(subject)?.length ?? 0) < atLeast && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return heard.get(subject) ?? [];
  };
}

describeWithBroker('nats', 'NATS publishers', (broker) => {
  describePublisherConformance('JetStream, binary mode', harness(broker, {}), { dedupe: true });
  describePublisherConformance(
    'JetStream, structured mode, checkGeneration',
    harness(broker, { checkGeneration: true, encoding: 'structured' }),
    { dedupe: true },
  );
  // Read back by a core subscriber: core NATS drops no re-sent id.
  describePublisherConformance('core NATS', harness(broker, { core: true }), { dedupe: false });
});
