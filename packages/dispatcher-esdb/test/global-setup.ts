import { brokerGlobalSetup } from '@eventfan/testing/vitest';
import { esdbBroker } from '@eventfan/testing';

export default brokerGlobalSetup(esdbBroker);
