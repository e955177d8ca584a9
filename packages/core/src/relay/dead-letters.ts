import type { Envelope } from '../envelope.js';
import type { LogPosition } from '../store.js';

/** An event a target can never take as it is, kept with the reason instead of blocking the relay. */
export interface DeadLetter {
  readonly target: string;
  readonly position: LogPosition;
  readonly envelope: Envelope;
  readonly reason: string;
  readonly time: string;
}

/** Where a relay parks what a target refused; the user lists them, fixes the cause and replays. */
export interface DeadLetters {
  park(letter: DeadLetter): Promise<void>;
  list(target?: string): Promise<readonly DeadLetter[]>;
  /** Removes the target's letters and returns them, for the relay to publish again. */
  take(target: string): Promise<readonly DeadLetter[]>;
}

/** Dead letters in this process's memory. */
export class InMemoryDeadLetters implements DeadLetters {
  #letters: DeadLetter[] = [];

  async park(letter: DeadLetter): Promise<void> {
    this.#letters.push(letter);
  }

  async list(target?: string): Promise<readonly DeadLetter[]> {
    return target === undefined
      ? [...this.#letters]
      : this.#letters.filter((l) => l.target === target);
  }

  async take(target: string): Promise<readonly DeadLetter[]> {
    const taken = this.#letters.filter((l) => l.target === target);
    this.#letters = this.#letters.filter((l) => l.target !== target);
    return taken;
  }
}
