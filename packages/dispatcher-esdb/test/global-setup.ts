import { brokerGlobalSetup, esdbBroker } from '@eventfan/testing';

export default brokerGlobalSetup(esdbBroker);
