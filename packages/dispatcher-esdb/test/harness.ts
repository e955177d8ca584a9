import { fromEsdbRecord } from '@eventfan/cloudevents';
import { freePort, type ConformanceHarness, type ReadBackEvent } from '@eventfan/testing';
import { esdbDispatcher, type EsdbClient } from '../src/index.js';

/**
 * Makes a client of one package. The two packages' generated protobuf code clashes in one process,
 * so this file imports neither and each test file brings its own.
 */
export type ClientFactory = (url: string) => EsdbClient;

const FROM_START = {
  fromRevision: 'start',
  direction: 'forwards',
  maxCount: Number.MAX_SAFE_INTEGER,
} as const;

/** Everything a stream holds, read by a client of its own and decoded to CloudEvents. */
export async function readBack(
  url: string,
  stream: string,
  connect: ClientFactory,
): Promise<ReadBackEvent[]> {
  const reader = connect(url);
  const events: ReadBackEvent[] = [];
  try {
    for await (const resolved of reader.readStream(stream, FROM_START)) {
      if (resolved.event) events.push({ ...fromEsdbRecord(resolved.event) });
    }
  } catch (error) {
    if ((error as { type?: unknown }).type !== 'stream-not-found') throw error;
  } finally {
    await reader.dispose?.();
  }
  return events;
}

/** The conformance harness for the ESDB dispatcher on the broker at `url`. */
export async function esdbHarness(
  url: string,
  connect: ClientFactory,
): Promise<ConformanceHarness> {
  const client = connect(url);
  const dispatcher = esdbDispatcher({ client, disposeClient: true });
  let closed = false;
  return {
    dispatcher,
    readBack: (stream) => readBack(url, stream, connect),
    unreachable: async () =>
      // A free port is one nothing listens on.
      esdbDispatcher({
        client: connect(`esdb://127.0.0.1:${await freePort()}?tls=false&defaultDeadline=2000`),
        name: 'esdb-unreachable',
        disposeClient: true,
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await dispatcher.close();
    },
  };
}
