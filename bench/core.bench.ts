/**
 * Core baseline: combat commands through a command handler whose caller holds the state
 * (`handleLoaded`: decide, envelopes with ids and validation, append to the in-memory store, no
 * publishers), beside the same commands through the pure functions alone (decide + evolve), in
 * paired rounds (bench/paired.ts). Reports commands/s, the ratio, and the heap the store retains
 * per stored event (run with --expose-gc, as `npm run bench` does, for a collection first).
 * Run: npm run bench -- core
 */
import { InMemoryEventStore, commandHandler, decide, evolve, initial } from '@eventfan/core';
import type { Versioned } from '@eventfan/core';
import { Combat } from '../examples/combat/src/combat.js';
import type { CombatCommand, CombatState } from '../examples/combat/src/combat.js';
import { comparePaired, type SideResult } from './paired.js';
import { formatRate, heapUsed, printTable } from './report.js';

const COMMANDS = 50_000;
const OGRES = 1_000; // 50 attacks of 1 damage each: every ogre survives (900 hitpoints)
const ROUNDS = 7;
const commands: CombatCommand[] = Array.from({ length: COMMANDS }, (_, i) => ({
  type: 'Attack',
  entityId: `ogre${i % OGRES}`,
  damage: 1,
}));

async function throughHandler(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  const combat = commandHandler({ aggregate: Combat, store });
  const states = new Map<string, Versioned<CombatState>>();
  for (const command of commands) {
    const current = states.get(command.entityId) ?? initial(Combat, command.entityId);
    states.set(command.entityId, (await combat.handleLoaded(current, command)).state);
  }
  return store;
}

async function pureFunctions(): Promise<void> {
  const states = new Map<string, Versioned<CombatState>>();
  for (const command of commands) {
    let current = states.get(command.entityId) ?? initial(Combat, command.entityId);
    for (const event of decide(Combat, current, command)) current = evolve(Combat, current, event);
    states.set(command.entityId, current);
  }
}

const measured = await comparePaired(throughHandler, pureFunctions, {
  events: COMMANDS,
  rounds: ROUNDS,
  warmup: 1,
});

const before = heapUsed();
const kept = await throughHandler();
const after = heapUsed();
const cpu = (side: SideResult) => `CPU ${side.cpuMicrosPerEvent.toFixed(2)} µs/command`;
printTable(
  `core: ${COMMANDS / 1000}k combat commands over ${OGRES} ogres, state held by the caller, ${ROUNDS} paired rounds: best rate, median ratio`,
  [
    [
      'commandHandler.handleLoaded + in-memory store',
      `${formatRate(measured.first.perSecond)}, ${cpu(measured.first)}`,
    ],
    ['decide + evolve only', `${formatRate(measured.second.perSecond)}, ${cpu(measured.second)}`],
    ['ratio handler / pure', `${measured.ratio.toFixed(3)}x`],
    [
      'heap retained per stored event',
      `${Math.round((after - before) / kept.size)} bytes (${kept.size} events, ${kept.streams().length} streams)`,
    ],
  ],
);
