import { CommandRejected, dispatch, initial, load } from '@eventfan/core';
import type { Dispatcher, EventStore, Versioned } from '@eventfan/core';
import { encodeJson, toCloudEvent } from '@eventfan/cloudevents';
import type { CombatCommand, CombatState } from './combat.js';
import { Combat } from './combat.js';

export interface FightLog {
  (line: string): void;
}

/** The fight the demo runs: a few attacks on an ogre, the last one after it is dead. */
export const ATTACKS: readonly CombatCommand[] = [150, 200, 250, 300, 75].map((damage) => ({
  type: 'Attack',
  entityId: 'ogre',
  damage,
}));

/**
 * Runs the attacks through dispatch (store first, then every other target), prints each command,
 * its events as CloudEvents JSON, receipts and the new state; then replays the stream from the
 * store and checks the same state comes back.
 */
export async function fight(
  store: EventStore,
  dispatchers: readonly Dispatcher[],
  log: FightLog,
): Promise<Versioned<CombatState>> {
  let current = initial(Combat, 'ogre');
  log(`${current.stream}: ${describe(current)}`);
  for (const command of ATTACKS) {
    log(
      `\n> ${command.type} ${JSON.stringify({ entityId: command.entityId, damage: command.damage })}`,
    );
    try {
      const result = await dispatch(Combat, current, command, dispatchers, {
        causationId: `attack-${current.generation + 1}`,
      });
      for (const envelope of result.envelopes) log(indent(encodeJson(toCloudEvent(envelope))));
      for (const receipt of result.receipts) {
        log(
          `  receipt from ${receipt.target}: ${receipt.events.map((e) => JSON.stringify(e.position)).join(', ')}${receipt.events.some((e) => e.duplicate) ? ' (duplicate)' : ''}`,
        );
      }
      current = result.state;
      log(`  state: ${describe(current)}`);
    } catch (error) {
      if (!(error instanceof CommandRejected)) throw error;
      log(`  rejected: ${error.reason}`);
    }
  }
  const replayed = await load(Combat, store, 'ogre');
  const same = JSON.stringify(replayed) === JSON.stringify(current);
  log(
    `\nreplayed ${current.stream} from the store: ${describe(replayed)} — ${same ? 'the same state came back' : 'MISMATCH'}`,
  );
  if (!same)
    throw new Error(`replay gave ${JSON.stringify(replayed)}, expected ${JSON.stringify(current)}`);
  return replayed;
}

function describe({ generation, state }: Versioned<CombatState>): string {
  return JSON.stringify({ ...state, generation });
}

function indent(json: string): string {
  return JSON.stringify(JSON.parse(json), null, 2)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
