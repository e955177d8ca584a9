import { toCloudEvent } from '@eventfan/cloudevents';
import { BrokerUnavailable, InMemoryEventStore, InMemoryPublisher } from '@eventfan/core';
import { encodeEach } from '@eventfan/core/adapter';
import type { Envelope, Prepared, Publisher } from '@eventfan/core';
import { describePublisherConformance, type ReadBackEvent } from './publisher-suite.js';
import { describeStoreConformance } from './store-suite.js';

/** What a CloudEvents consumer would see of an envelope, for the in-memory targets. */
const asCloudEvent = (e: Envelope): ReadBackEvent => ({
  id: e.id,
  type: e.type,
  source: e.source,
  subject: e.stream,
  data: e.data,
  sequence: String(e.generation),
});

/** The in-memory publisher checks what every broker checks: the CloudEvents rules and a size. */
class CheckedPublisher extends InMemoryPublisher {
  override prepare(envelopes: readonly Envelope[]): Prepared {
    const prepared = super.prepare(envelopes);
    encodeEach(this.name, envelopes, toCloudEvent);
    return prepared;
  }
}

const unreachable = async (): Promise<Publisher> => {
  const dead = new InMemoryPublisher({ name: 'nowhere' });
  dead.failNext(new BrokerUnavailable('nowhere', 'connection refused by 127.0.0.1:9'), 99);
  return dead;
};

describePublisherConformance(
  'InMemoryPublisher + CloudEvents checks',
  async () => {
    const publisher = new CheckedPublisher({ name: 'memory-pub', maxEventBytes: 1024 * 1024 });
    return {
      publisher,
      readBack: async (stream) => publisher.stream(stream).map(asCloudEvent),
      unreachable,
      close: () => publisher.close(),
    };
  },
  { dedupe: true },
);

describeStoreConformance('InMemoryEventStore', async () => {
  const store = new InMemoryEventStore();
  return { store, close: () => store.close() };
});
