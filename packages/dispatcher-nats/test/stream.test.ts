import { describeWithBroker } from '@eventfan/testing/vitest';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureStream, NatsStreamError, subjectCovers } from '../src/index.js';

describeWithBroker('nats', 'ensureStream', (broker) => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: broker.url });
  });
  afterAll(async () => {
    await nc?.close();
  });

  const unique = () =>
    `S${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

  it('given no stream, when ensured, then it is created with the subjects and duplicate window', async () => {
    const name = unique();
    const made = await ensureStream(nc, {
      name,
      subjects: [`${name}.>`],
      duplicateWindowMs: 30_000,
    });
    expect(made).toEqual({
      name,
      subjects: [`${name}.>`],
      duplicateWindowMs: 30_000,
      outcome: 'created',
    });
    const info = await (await nc.jetstreamManager()).streams.info(name);
    expect(info.config.subjects).toEqual([`${name}.>`]);
    expect(info.config.duplicate_window).toBe(30_000 * 1_000_000);
  });

  it('given a stream that covers the subjects, when ensured again, then it is verified and left alone', async () => {
    const name = unique();
    await ensureStream(nc, { name, subjects: [`${name}.>`] });
    const again = await ensureStream(nc, { name, subjects: [`${name}.combat.*`] });
    expect(again.outcome).toBe('verified');
    expect(again.subjects).toEqual([`${name}.>`]);
  });

  it('given a stream without a subject or with a shorter window, when ensured, then the error names both and nothing changes', async () => {
    const name = unique();
    await ensureStream(nc, { name, subjects: [`${name}.a.>`], duplicateWindowMs: 10_000 });
    const attempt = ensureStream(nc, {
      name,
      subjects: [`${name}.b.>`],
      duplicateWindowMs: 60_000,
    });
    await expect(attempt).rejects.toThrow(NatsStreamError);
    await expect(attempt).rejects.toThrow(`does not capture "${name}.b.>"`);
    await expect(attempt).rejects.toThrow('keeps message ids for 10000 ms, less than the 60000 ms');
    const info = await (await nc.jetstreamManager()).streams.info(name);
    expect(info.config.subjects).toEqual([`${name}.a.>`]);
  });

  it('given update: true, when the stream lacks a subject, then the subject is added and the window widened', async () => {
    const name = unique();
    await ensureStream(nc, { name, subjects: [`${name}.a.>`], duplicateWindowMs: 10_000 });
    const updated = await ensureStream(nc, {
      name,
      subjects: [`${name}.b.>`],
      duplicateWindowMs: 60_000,
      update: true,
    });
    expect(updated.outcome).toBe('updated');
    const info = await (await nc.jetstreamManager()).streams.info(name);
    expect(info.config.subjects).toEqual([`${name}.a.>`, `${name}.b.>`]);
    expect(info.config.duplicate_window).toBe(60_000 * 1_000_000);
  });

  it("given subjects another stream already captures, when a new stream is ensured, then the server's refusal is named", async () => {
    const name = unique();
    await ensureStream(nc, { name, subjects: [`${name}.>`] });
    const other = unique();
    await expect(ensureStream(nc, { name: other, subjects: [`${name}.x`] })).rejects.toThrow(
      new RegExp(`JetStream stream "${other}": could not be created: .*overlap`),
    );
  });
});

it('subjectCovers: given patterns with wildcards, when compared, then only covered subjects match', () => {
  expect(subjectCovers('events.>', 'events.combat.x')).toBe(true);
  expect(subjectCovers('events.>', 'events.combat.*')).toBe(true);
  expect(subjectCovers('events.*.x', 'events.combat.x')).toBe(true);
  expect(subjectCovers('events.*.x', 'events.>')).toBe(false);
  expect(subjectCovers('events.>', 'events')).toBe(false);
  expect(subjectCovers('events.combat', 'events.combat.x')).toBe(false);
});
