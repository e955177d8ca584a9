import { describeDispatcherConformance, describeWithBroker } from '@eventfan/testing';
import { esdbHarness } from './harness.js';

describeWithBroker('esdb', 'esdbDispatcher with @eventstore/db-client', (broker) => {
  describeDispatcherConformance('esdbDispatcher', () => esdbHarness(broker.url), {
    dedupe: true,
    concurrency: true,
  });
});
