/**
 * The relay alone in a process of its own, for the fault test that SIGKILLs it: publishes the
 * store's log from its file checkpoints until told to finish, then catches up and exits.
 */
import { childSettings, reportProgress } from './settings.js';
import { finishWhenAsked, publishedByRelay, wire } from './wiring.js';

const wiring = await wire(childSettings());
wiring.outbox.start();
const stopReporting = reportProgress(publishedByRelay(wiring.outbox));
await finishWhenAsked(wiring, stopReporting);
