/**
 * The EventStoreDB test server (emulator) in a process of its own, for the fault test that SIGKILLs
 * it: serves on the port given, keeps its log in the data file given (so a new process on the same
 * file has every write the killed one answered), prints `listening` once it serves, and runs until
 * killed.
 */
import { startEsdbTestServer } from '@eventfan/testing/esdb-server';

export interface ServerSettings {
  readonly port: number;
  readonly dataFile: string;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as ServerSettings;
await startEsdbTestServer(settings);
console.log('listening');
