import { kafkaBroker } from '@eventfan/testing';
import { brokerGlobalSetup } from '@eventfan/testing/vitest';

export default brokerGlobalSetup(kafkaBroker);
