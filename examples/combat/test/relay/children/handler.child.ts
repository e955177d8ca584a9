/**
 * The command handler and its relay in one process, for the fault test that SIGKILLs it
 * mid-run: attacks every ogre to the end (resuming from the store after a restart), publishing
 * through the relay only, or inline with the relay behind; on `finish`, catches up and exits.
 */
import { commandHandler } from '@eventfan/core';
import { Combat } from '../../../src/combat.js';
import { fight } from '../support/workload.js';
import { childSettings, reportProgress } from './settings.js';
import { finishWhenAsked, wire } from './wiring.js';

const settings = childSettings();
const wiring = await wire(settings);
const combat = commandHandler({
  aggregate: Combat,
  store: wiring.store,
  publishers: wiring.inline,
  publishing: settings.inline ? 'inline' : 'relay',
  relay: wiring.outbox,
});
wiring.outbox.start();
let stored = 0;
const stopReporting = reportProgress(() => stored);
await fight(combat, { lanes: 10, onStored: () => stored++ });
await finishWhenAsked(wiring, stopReporting);
