import { describe, expect, it } from 'vitest';
import { decide, defineAggregate, evolve, initial } from './aggregate.js';
import { CommandRejected, InvalidEvent, UnknownCommand } from './errors.js';
import type { TallyCommand } from './tally.fixture.js';
import { Tally, TallyEvent } from './tally.fixture.js';

describe('a stateless aggregate', () => {
  const fresh = initial(Tally, 'a');

  it('starts at generation 0 on its stream', () => {
    expect(fresh).toEqual({
      id: 'a',
      stream: 'tally-a',
      generation: 0,
      state: { total: 0, closed: false, tags: [] },
    });
  });

  it('given a command, handle returns events and changes nothing', () => {
    expect(decide(Tally, fresh, { type: 'AddTwice', amount: 2 })).toEqual([
      { type: 'Added', data: { amount: 2 } },
      { type: 'Added', data: { amount: 2 } },
    ]);
    expect(fresh.generation).toBe(0);
  });

  it('apply moves the generation by one per event: core manages it, not the user', () => {
    const once = evolve(Tally, fresh, TallyEvent.event('Added', { amount: 5 }));
    const twice = evolve(Tally, once, TallyEvent.event('Closed', null));
    expect(once).toMatchObject({ generation: 1, state: { total: 5 } });
    expect(twice).toMatchObject({ generation: 2, state: { total: 5, closed: true } });
  });

  it('a rejection becomes CommandRejected naming stream, generation, command and reason', () => {
    const closed = evolve(Tally, fresh, TallyEvent.event('Closed', null));
    const attempt = () => decide(Tally, closed, { type: 'Add', amount: 1 });
    expect(attempt).toThrow(CommandRejected);
    expect(attempt).toThrow(
      'Command "Add" was rejected for stream "tally-a" at generation 1: the tally is closed',
    );
  });

  it('an unknown command is an UnknownCommand listing the known ones', () => {
    const attempt = () => decide(Tally, fresh, { type: 'Explode' } as unknown as TallyCommand);
    expect(attempt).toThrow(UnknownCommand);
    expect(attempt).toThrow(
      /no handler for command "Explode"; it handles: Add, AddTwice, Tag, Close, Noop, EmitRaw/,
    );
    expect(() => decide(Tally, fresh, null as unknown as TallyCommand)).toThrow(UnknownCommand);
  });

  it('an empty id is refused', () => {
    expect(() => initial(Tally, ' ')).toThrow(InvalidEvent);
    expect(() => initial(Tally, ' ')).toThrow(/needs a non-empty id/);
  });

  it('a definition must apply every event of its family', () => {
    expect(() =>
      defineAggregate({ ...Tally, apply: { ...Tally.apply, Closed: undefined as never } }),
    ).toThrow(/has no apply for: Closed/);
  });
});
