/**
 * Command handling against Emmett (@event-driven-io/emmett 0.42.0, a devDependency of the
 * benchmarks only) on the same in-memory workload: the combat sample's Attack of 1 damage, sent
 * round-robin to every ogre until each has taken its share (ogres have 900 hitpoints: all survive).
 * Each command loads its stream (full replay: no snapshots on either side), decides, appends.
 *   eventfan: commandHandler({ aggregate: Combat, store: new InMemoryEventStore() }).handle(id, attack)
 *   Emmett:   DeciderCommandHandler({ decide, evolve, initialState })(getInMemoryEventStore(), id, attack)
 * Paired rounds with the order alternating (bench/paired.ts), a fresh store per run.
 * Prints `emmett <scenario>: ratio <eventfan/emmett>` per scenario.
 * Run: npm run bench -- emmett
 */
import { DeciderCommandHandler, getInMemoryEventStore } from '@event-driven-io/emmett';
import type { Command as EmmettCommand, Event } from '@event-driven-io/emmett';
import { InMemoryEventStore, commandHandler } from '@eventfan/core';
import { Combat, STARTING_HITPOINTS } from '../examples/combat/src/combat.js';
import type { CombatCommand, CombatState } from '../examples/combat/src/combat.js';
import { comparePaired, type SideResult } from './paired.js';
import { formatRate, printTable } from './report.js';

interface Scenario {
  readonly ogres: number;
  readonly attacks: number;
  readonly rounds: number;
}

const SCENARIOS: readonly Scenario[] = [
  { ogres: 1_000, attacks: 20, rounds: 9 },
  { ogres: 100, attacks: 200, rounds: 5 },
];

/** The commands of a scenario, round-robin over the ogres: every stream grows alike. */
function attacks({ ogres, attacks }: Scenario): CombatCommand[] {
  const commands: CombatCommand[] = [];
  for (let a = 0; a < attacks; a++) {
    for (let o = 0; o < ogres; o++) {
      commands.push({ type: 'Attack', entityId: `ogre${o}`, damage: 1 });
    }
  }
  return commands;
}

// Emmett's side: the combat sample's checks as an Emmett decide, and its very applier as evolve
// (Emmett's initialState takes no id: the state starts without one and the stream names the ogre).
type EntityAttacked = Event<'EntityAttacked', { entityId: string; damage: number }>;
type Attack = EmmettCommand<'Attack', { entityId: string; damage: number }>;
const emmettCombat = DeciderCommandHandler<CombatState, Attack, EntityAttacked>({
  mapToStreamId: (id) => `combat-${id}`,
  initialState: () => ({ entityId: '', hitpoints: STARTING_HITPOINTS }),
  decide: ({ data: { entityId, damage } }, state) => {
    if (state.entityId !== '' && entityId !== state.entityId) {
      throw new Error(`this is ${state.entityId}, not ${entityId}`);
    }
    if (!Number.isInteger(damage) || damage <= 0) {
      throw new Error(`damage must be a whole number > 0, got ${damage}`);
    }
    if (state.hitpoints === 0) throw new Error(`${entityId} is already dead`);
    return { type: 'EntityAttacked', data: { entityId, damage } };
  },
  evolve: (state, { data }) => Combat.apply.EntityAttacked(state, data),
});

const lines: string[] = [];
for (const scenario of SCENARIOS) {
  const name = `${scenario.ogres}x${scenario.attacks}`;
  const commands = attacks(scenario);
  let ours = commandHandler({ aggregate: Combat, store: new InMemoryEventStore() });
  let theirs = getInMemoryEventStore();

  const viaEventfan = async () => {
    for (const command of commands) await ours.handle(command.entityId, command);
  };
  // Emmett's commands carry their fields under `data`: built once, outside the timing.
  const emmettCommands = commands.map(({ type, ...data }): Attack => ({ type, data }));
  const viaEmmett = async () => {
    for (const command of emmettCommands) {
      await emmettCombat(theirs, command.data.entityId, command);
    }
  };

  const measured = await comparePaired(viaEventfan, viaEmmett, {
    events: commands.length,
    rounds: scenario.rounds,
    warmup: 1,
    prepare: () => {
      ours = commandHandler({ aggregate: Combat, store: new InMemoryEventStore() });
      theirs = getInMemoryEventStore();
    },
  });
  const cpu = (side: SideResult) => `CPU ${side.cpuMicrosPerEvent.toFixed(2)} µs/command`;
  printTable(
    `emmett ${name}: ${scenario.ogres} streams x ${scenario.attacks} commands, load + decide + append each, ${scenario.rounds} paired rounds: best rate, median ratio`,
    [
      [
        'eventfan commandHandler.handle',
        `${formatRate(measured.first.perSecond)}, ${cpu(measured.first)}`,
      ],
      [
        'Emmett DeciderCommandHandler',
        `${formatRate(measured.second.perSecond)}, ${cpu(measured.second)}`,
      ],
      ['ratio of summed times', `${measured.overall.toFixed(2)}x`],
    ],
  );
  lines.push(`emmett ${name}: ratio ${measured.ratio.toFixed(2)}x`);
}
console.log('');
for (const line of lines) console.log(line);
