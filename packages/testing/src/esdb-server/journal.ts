import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { RecordedEvent } from './memory-log.js';

/** One record as a line of the file: the bytes in base64, the bigints as decimal text. */
interface Line {
  readonly stream: string;
  readonly revision: string;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: string;
  readonly metadata: string;
  readonly position: number;
  readonly created: string;
}

/**
 * The log's records in a file, one JSON line each, so that a test server process killed and
 * started again on the same file has every write it answered. Each write goes out in one
 * synchronous append before the server answers: a SIGKILL leaves a write whole or absent (the
 * kernel holds what was written; a power cut is not what the file is for).
 */
export class Journal {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  /** What the file holds, in commit order; nothing when there is no file yet. */
  read(): RecordedEvent[] {
    if (!existsSync(this.#path)) return [];
    return readFileSync(this.#path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((text) => {
        const line = JSON.parse(text) as Line;
        return {
          ...line,
          revision: BigInt(line.revision),
          data: Buffer.from(line.data, 'base64'),
          metadata: Buffer.from(line.metadata, 'base64'),
          created: BigInt(line.created),
        };
      });
  }

  /** Appends the records of one write. */
  write(records: readonly RecordedEvent[]): void {
    const lines = records.map((record) => {
      const line: Line = {
        stream: record.stream,
        revision: record.revision.toString(),
        id: record.id,
        type: record.type,
        contentType: record.contentType,
        data: Buffer.from(record.data).toString('base64'),
        metadata: Buffer.from(record.metadata).toString('base64'),
        position: record.position,
        created: record.created.toString(),
      };
      return `${JSON.stringify(line)}\n`;
    });
    appendFileSync(this.#path, lines.join(''));
  }
}
