import { subscribe } from '@eventfan/core';
import type { Envelope, SequenceMarks, Subscription, SubscriptionSource } from '@eventfan/core';
import { CombatEvent } from './combat.js';

/** One entity on the board: what it has taken, and whether that killed it. */
export interface Standing {
  readonly entityId: string;
  readonly hitpoints: number;
  readonly attacks: number;
  readonly dead: boolean;
}

/**
 * The combat leaderboard: hitpoints per entity and kills, fed by a subscription. The read model
 * keeps each stream's last handled generation beside its rows (its sequence marks), so a
 * redelivered or re-sent event changes nothing, and a rebuild starts from an empty board.
 */
export class Leaderboard implements SequenceMarks {
  readonly #standings = new Map<string, Standing>();
  readonly #marks = new Map<string, number>();
  readonly #startingHitpoints: number;

  constructor(startingHitpoints: number) {
    this.#startingHitpoints = startingHitpoints;
  }

  /** Feeds the board from a source until stop(); pass a fresh source to rebuild from the start. */
  follow(source: SubscriptionSource): Subscription {
    return subscribe({
      source,
      events: CombatEvent,
      marks: this,
      handler: (event, envelope) => {
        if (event.type === 'EntityAttacked') this.#attacked(envelope, event.data.damage);
      },
    });
  }

  /** Standings, most damaged first. */
  standings(): Standing[] {
    return [...this.#standings.values()].sort((a, b) => a.hitpoints - b.hitpoints);
  }

  get kills(): number {
    return this.standings().filter((s) => s.dead).length;
  }

  async get(stream: string): Promise<number | undefined> {
    return this.#marks.get(stream);
  }

  async set(stream: string, generation: number): Promise<void> {
    this.#marks.set(stream, generation);
  }

  #attacked(envelope: Envelope, damage: number): void {
    const entityId = envelope.stream.replace(/^combat-/, '');
    const before = this.#standings.get(entityId) ?? {
      entityId,
      hitpoints: this.#startingHitpoints,
      attacks: 0,
      dead: false,
    };
    const hitpoints = Math.max(0, before.hitpoints - damage);
    this.#standings.set(entityId, {
      entityId,
      hitpoints,
      attacks: before.attacks + 1,
      dead: hitpoints === 0,
    });
  }
}
