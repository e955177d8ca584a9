/**
 * The EventStoreDB test server (emulator) in a process of its own, for bench/subscribe-esdb.ts:
 * prints `URL <url>`, serves until its stdin ends.
 */
import { startEsdbTestServer } from '@eventfan/testing/esdb-server';

const server = await startEsdbTestServer();
console.log(`URL ${server.url}`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
