import type { Writable } from 'node:stream';

/**
 * Writes lines to a stream and waits when it is full, so a tail piped into a slow reader holds
 * its consumer back. A reader that went away (`| head`) ends the output quietly: `closed` says so.
 */
export class LineWriter {
  readonly #out: Writable;
  #closed = false;

  constructor(out: Writable) {
    this.#out = out;
    out.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.#closed = true;
      else throw error;
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  async line(text: string): Promise<void> {
    if (this.#closed) return;
    if (!this.#out.write(`${text}\n`)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#out.off('drain', done);
          this.#out.off('close', done);
          resolve();
        };
        this.#out.on('drain', done);
        this.#out.on('close', done);
      });
    }
  }
}
