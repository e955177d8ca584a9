/**
 * The relay alone in a process of its own, for the fault test that SIGKILLs it: publishes the
 * store's log from its file checkpoints until told to finish, then catches up and exits.
 */
import { childSettings, finishRequested, reportProgress } from './settings.js';
import { publishedByRelay, wire } from './wiring.js';

const wiring = await wire(childSettings());
wiring.outbox.start();
const stopReporting = reportProgress(publishedByRelay(wiring.outbox));
await finishRequested();
await wiring.outbox.caughtUp({ timeoutMs: 60_000 });
await wiring.outbox.stop();
stopReporting();
await wiring.close();
console.log('done');
process.exit(0);
