import {
  BrokerUnavailable,
  InMemoryDispatcher,
  InMemoryEventStore,
  persistTo,
} from '@eventfan/core';
import type { Dispatcher, Envelope } from '@eventfan/core';
import { describeDispatcherConformance } from './suite.js';
import type { ReadBackEvent } from './suite.js';

/** What a CloudEvents consumer would see of an envelope, for the in-memory targets. */
const asCloudEvent = (e: Envelope): ReadBackEvent => ({
  id: e.id,
  type: e.type,
  source: e.source,
  subject: e.stream,
  data: e.data,
  sequence: String(e.generation),
});

const unreachable = async (): Promise<Dispatcher> => ({
  name: 'nowhere',
  dispatch: async () => {
    throw new BrokerUnavailable('nowhere', 'connection refused by 127.0.0.1:9');
  },
});

describeDispatcherConformance(
  'InMemoryDispatcher',
  async () => {
    const dispatcher = new InMemoryDispatcher({ name: 'memory', maxEventBytes: 1024 * 1024 });
    return {
      dispatcher,
      readBack: async (stream) => dispatcher.stream(stream).map(asCloudEvent),
      unreachable,
      close: async () => {},
    };
  },
  { dedupe: true, concurrency: false },
);

describeDispatcherConformance(
  'persistTo(InMemoryEventStore)',
  async () => {
    const store = new InMemoryEventStore();
    const limited = {
      append: (stream: string, envelopes: readonly Envelope[], expected: number) => {
        const big = envelopes.find((e) => JSON.stringify(e.data).length > 1024 * 1024);
        if (big)
          return Promise.reject(new BrokerUnavailable('store', `event ${big.id} is over 1 MiB`));
        return store.append(stream, envelopes, expected);
      },
      read: (stream: string, from?: number) => store.read(stream, from),
    };
    return {
      dispatcher: persistTo(limited),
      readBack: async (stream) => {
        const out: ReadBackEvent[] = [];
        for await (const e of store.read(stream)) out.push(asCloudEvent(e));
        return out;
      },
      unreachable,
      close: async () => {},
    };
  },
  { dedupe: true, concurrency: true },
);
