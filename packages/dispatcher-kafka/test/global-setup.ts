import { brokerGlobalSetup } from '@eventfan/testing/vitest';
import { kafkaBroker } from '@eventfan/testing';

/** One Kafka (KAFKA_BROKERS, a container, or a local KRaft process) for the whole run. */
export default brokerGlobalSetup(kafkaBroker);
