import {
  DispatchFailed,
  load,
  type CommandHandler,
  type EventStore,
  type Versioned,
} from '@eventfan/core';
import type { TalliedEvent } from '@eventfan/testing';
import {
  Combat,
  type CombatCommand,
  type CombatEvent,
  type CombatState,
} from '../../../src/combat.js';

/** The fault tests' workload: 100 ogres attacked 100 times each, 10,000 events. */
export const WORKLOAD = { entities: 100, attacks: 100 } as const;
export const TOTAL_EVENTS = WORKLOAD.entities * WORKLOAD.attacks;

export type CombatHandler = CommandHandler<CombatState, CombatCommand, CombatEvent>;

export interface FightOptions {
  /** Entities attacked at once. */
  readonly lanes: number;
  /** Pause after each attack, so that the run lasts long enough to be interrupted. */
  readonly pauseMs?: number;
  /** Told after each stored event. */
  readonly onStored?: () => void;
}

/**
 * Attacks every ogre until it holds `WORKLOAD.attacks` events. Resumable: each ogre is loaded
 * from the store first, so a process killed mid-run and started again finishes the same totals.
 */
export async function fight(combat: CombatHandler, options: FightOptions): Promise<void> {
  const queue = Array.from({ length: WORKLOAD.entities }, (_, i) => `ogre-${i}`);
  const lane = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      let state = await load(Combat, combat.store, id);
      while (state.generation < WORKLOAD.attacks) {
        state = await attack(combat, state);
        options.onStored?.();
        if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      }
    }
  };
  await Promise.all(Array.from({ length: options.lanes }, lane));
}

async function attack(
  combat: CombatHandler,
  state: Versioned<CombatState>,
): Promise<Versioned<CombatState>> {
  const command = { type: 'Attack', entityId: state.state.entityId, damage: 1 } as const;
  try {
    return (await combat.handleLoaded(state, command)).state;
  } catch (error) {
    // Stored, not published inline: the relay behind the handler publishes it.
    if (error instanceof DispatchFailed) return load(Combat, combat.store, state.state.entityId);
    throw error;
  }
}

/** What the store holds of the workload, read back through its log. */
export async function storedEvents(store: EventStore): Promise<TalliedEvent[]> {
  const events: TalliedEvent[] = [];
  for await (const page of store.readAll({ aggregates: [Combat.name] })) {
    for (const { envelope } of page) {
      events.push({ id: envelope.id, stream: envelope.stream, generation: envelope.generation });
    }
  }
  return events;
}
