import { CommandRejected, load } from '@eventfan/core';
import type { CommandHandler, Versioned } from '@eventfan/core';
import { encodeJson, toCloudEvent } from '@eventfan/cloudevents';
import type { CombatCommand, CombatEvent, CombatState } from './combat.js';
import { Combat } from './combat.js';

export interface FightLog {
  (line: string): void;
}

/** The attacks the demo makes on one ogre; the last lands after it is dead. */
export function attacks(entityId: string): CombatCommand[] {
  return [150, 200, 250, 300, 75].map((damage) => ({ type: 'Attack', entityId, damage }));
}

/**
 * Runs the attacks through the command handler (store, then every publisher), prints each
 * command, its events as CloudEvents JSON, one receipt per target and the new state; then replays
 * the stream from the store and checks the same state comes back.
 */
export async function fight(
  combat: CommandHandler<CombatState, CombatCommand, CombatEvent>,
  entityId: string,
  log: FightLog,
): Promise<Versioned<CombatState>> {
  let current: Versioned<CombatState> | undefined;
  for (const command of attacks(entityId)) {
    log(`\n> ${command.type} ${JSON.stringify({ entityId, damage: command.damage })}`);
    try {
      const result = await combat.handle(entityId, command, { correlationId: `demo-${entityId}` });
      for (const envelope of result.envelopes) log(indent(encodeJson(toCloudEvent(envelope))));
      for (const receipt of result.receipts) {
        const where = receipt.events.map((e) => JSON.stringify(e.position)).join(', ');
        log(`  receipt from ${receipt.target}: ${where}`);
      }
      current = result.state;
      log(`  state: ${describe(current)}`);
    } catch (error) {
      if (!(error instanceof CommandRejected)) throw error;
      log(`  rejected: ${error.reason}`);
    }
  }
  if (!current) throw new Error(`no attack on ${entityId} was accepted`);
  const replayed = await load(Combat, combat.store, entityId);
  const same = JSON.stringify(replayed) === JSON.stringify(current);
  log(
    `\nreplayed ${current.stream} from ${combat.store.name}: ${describe(replayed)} — ${same ? 'the same state came back' : 'MISMATCH'}`,
  );
  if (!same) {
    throw new Error(`replay gave ${JSON.stringify(replayed)}, expected ${JSON.stringify(current)}`);
  }
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
