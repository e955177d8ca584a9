import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectionFile, readProjection } from './projection-file.js';

describe('ProjectionFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventfan-projection-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves what the handler noted with the mark, and a new process starts from that', async () => {
    const file = join(dir, 'state.json');
    expect(readProjection(file)).toEqual({ handled: [], marks: {}, duplicates: 0 });
    const first = new ProjectionFile<string>(file);
    first.handled('a#1');
    await first.marks.set('a', 1);
    first.handled('a#2'); // noted, not saved: lost with the process
    expect(readProjection<string>(file)).toEqual({
      handled: ['a#1'],
      marks: { a: 1 },
      duplicates: 0,
    });
    const second = new ProjectionFile<string>(file);
    expect(await second.marks.get('a')).toBe(1);
    expect(await second.marks.get('b')).toBeUndefined();
    second.record.duplicates += 2;
    second.handled('a#2');
    second.save();
    expect(readProjection<string>(file)).toEqual({
      handled: ['a#1', 'a#2'],
      marks: { a: 1 },
      duplicates: 2,
    });
  });
});
