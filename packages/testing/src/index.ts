export { findNatsServer, natsBroker } from './brokers/nats.js';
