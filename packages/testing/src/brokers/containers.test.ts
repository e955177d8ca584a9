import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { BrokerProvider } from './broker.js';
import { containerRuntimeMissing } from './container-runtime.js';
import { esdbBroker } from './esdb.js';
import { kafkaBroker } from './kafka.js';
import { natsBroker } from './nats.js';

/**
 * The testcontainers step of each fixture, for machines with Docker. Where no runtime answers
 * (CI here has none) the step cannot run at all, so these skip with the reason — the brokers
 * themselves are still tested through the local-process step, which fails in CI when missing.
 */
const noRuntime = await containerRuntimeMissing();
if (noRuntime !== undefined) {
  console.warn(
    `\n[eventfan] SKIPPING the testcontainers path of the broker fixtures — ${noRuntime}\n`,
  );
}

/** host:port of a broker URL of any of the three forms. */
function endpoint(url: string): { host: string; port: number } {
  const first = url.replace(/^[a-z]+:\/\//, '').split(/[,/?]/)[0] ?? '';
  const [host = '', port = ''] = first.split(':');
  return { host, port: Number(port) };
}

function answers(url: string): Promise<boolean> {
  const { host, port } = endpoint(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe.skipIf(noRuntime !== undefined)(
  `the testcontainers path${noRuntime ? ` — SKIPPED: ${noRuntime}` : ''}`,
  () => {
    const providers: BrokerProvider[] = [natsBroker, kafkaBroker, esdbBroker];
    it.each(providers.map((p) => [p.kind, p] as const))(
      'starts %s in a container that answers',
      async (_kind, provider) => {
        const broker = await provider.container?.();
        expect(broker?.via).toBe('testcontainers');
        try {
          expect(await answers(broker?.url ?? '')).toBe(true);
        } finally {
          await broker?.dispose();
        }
      },
      300_000,
    );
  },
);
