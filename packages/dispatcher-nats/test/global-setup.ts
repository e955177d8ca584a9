import { brokerGlobalSetup } from '@eventfan/testing/vitest';
import { natsBroker } from '@eventfan/testing';

export default brokerGlobalSetup(natsBroker);
