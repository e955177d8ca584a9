import { expect } from 'vitest';
import { CommandRejected, decide, evolve, initial } from '@eventfan/core';
import type { Aggregate, Command, DomainEvent, Versioned } from '@eventfan/core';

export interface Then<S, E extends DomainEvent> {
  /** The command produced exactly these events (and returns the state after them). */
  then(...expected: E[]): Versioned<S>;
  /** The command was rejected, with a reason matching `reason` when given. */
  thenRejects(reason?: string | RegExp): void;
}

/**
 * Given/when/then specifications for an aggregate's pure functions, no broker involved:
 * ```ts
 * const combat = specification(Combat, 'ogre');
 * combat.given(CombatEvent.event('EntityAttacked', { entityId: 'ogre', damage: 900 }))
 *   .when({ type: 'Attack', entityId: 'ogre', damage: 1 })
 *   .thenRejects(/already dead/);
 * ```
 */
export function specification<S, C extends Command, E extends DomainEvent>(
  aggregate: Aggregate<S, C, E>,
  id: string,
) {
  return {
    given(...history: E[]) {
      const past = history.reduce(
        (state, event) => evolve(aggregate, state, event),
        initial(aggregate, id),
      );
      return {
        when(command: C): Then<S, E> {
          const run = () => decide(aggregate, past, command);
          return {
            then(...expected) {
              const events = run();
              expect(events).toEqual(expected);
              return events.reduce((state, event) => evolve(aggregate, state, event), past);
            },
            thenRejects(reason) {
              expect(run).toThrow(CommandRejected);
              if (reason !== undefined) expect(run).toThrow(reason);
            },
          };
        },
      };
    },
  };
}
