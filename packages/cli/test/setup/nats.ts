import { natsBroker } from '@eventfan/testing';
import { brokerGlobalSetup } from '@eventfan/testing/vitest';

export default brokerGlobalSetup(natsBroker);
