import { brokerGlobalSetup, natsBroker } from '@eventfan/testing';

export default brokerGlobalSetup(natsBroker);
