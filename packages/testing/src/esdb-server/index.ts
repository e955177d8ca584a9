export {
  ESDB_TEST_SERVER_LABEL,
  startEsdbTestServer,
  type EsdbTestServer,
  type EsdbTestServerOptions,
} from './server.js';
export type { EsdbFault, EsdbOperation } from './faults.js';
export type { ProtocolSource } from './protocol-source.js';
