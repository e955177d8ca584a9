import { describeWithBroker } from '@eventfan/testing/vitest';
import { expect, it } from 'vitest';
import { at } from './support/at.js';
import { eventfan, linesOf, startEventfan } from './support/bin.js';
import {
  expectJsonEvent,
  expectLine,
  publishToNats,
  sampleEnvelopes,
  subjectOf,
  uniqueNats,
  uniqueStream,
} from './support/events.js';

describeWithBroker('nats', 'eventfan tail nats', (broker) => {
  it('prints what the JetStream stream holds on the subject, one line per event, and stops at the end', async () => {
    const names = uniqueNats('tail');
    const events = await sampleEnvelopes(uniqueStream('tail'), 3);
    await publishToNats(broker.url, names, events);
    // Another subject in the same stream, which a tail of the first must not show.
    await publishToNats(broker.url, names, await sampleEnvelopes(uniqueStream('other'), 2));

    const ran = await eventfan([
      'tail',
      'nats',
      subjectOf(names.prefix, at(events, 0)),
      '--nats',
      broker.url,
    ]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const lines = linesOf(ran.stdout);
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => expectLine(line, at(events, i)));
  });

  it('--json prints CloudEvents the SDK reads back, and a wildcard subject covers every stream', async () => {
    const names = uniqueNats('json');
    const first = await sampleEnvelopes(uniqueStream('a'), 2);
    const second = await sampleEnvelopes(uniqueStream('b'), 2);
    await publishToNats(broker.url, names, first);
    await publishToNats(broker.url, names, second);

    const ran = await eventfan(['tail', 'nats', `${names.prefix}.>`, '--json'], {
      NATS_URL: broker.url,
    });
    expect(ran.code).toBe(0);
    const lines = linesOf(ran.stdout);
    expect(lines).toHaveLength(4);
    [...first, ...second].forEach((envelope, i) => expectJsonEvent(at(lines, i), envelope));
  });

  it('--max stops after that many events', async () => {
    const names = uniqueNats('max');
    const events = await sampleEnvelopes(uniqueStream('max'), 5);
    await publishToNats(broker.url, names, events);
    const ran = await eventfan([
      'tail',
      'nats',
      `${names.prefix}.>`,
      '--max',
      '2',
      '--nats',
      broker.url,
    ]);
    expect(ran.code).toBe(0);
    const lines = linesOf(ran.stdout);
    expect(lines).toHaveLength(2);
    lines.forEach((line, i) => expectLine(line, at(events, i)));
  });

  it('--follow from the end prints only what comes next, until SIGINT (exit 0)', async () => {
    const names = uniqueNats('follow');
    const stream = uniqueStream('follow');
    const before = await sampleEnvelopes(stream, 2);
    await publishToNats(broker.url, names, before);

    const tail = startEventfan([
      'tail',
      'nats',
      `${names.prefix}.>`,
      '--follow',
      '--nats',
      broker.url,
    ]);
    await tail.waitForStderr(/following JetStream stream .* from the end; Ctrl-C to stop/);
    const after = await sampleEnvelopes(stream, 3, { after: 2 });
    await publishToNats(broker.url, names, after);
    const lines = await tail.waitForLines(3);
    tail.kill('SIGINT');
    const ran = await tail.done;
    expect(ran.code).toBe(0);
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => expectLine(line, at(after, i)));
    expect(linesOf(ran.stdout)).toHaveLength(3);
  });

  it('--follow --from beginning prints what is stored, then what comes next', async () => {
    const names = uniqueNats('frombeg');
    const stream = uniqueStream('frombeg');
    const before = await sampleEnvelopes(stream, 2);
    await publishToNats(broker.url, names, before);

    const tail = startEventfan([
      'tail',
      'nats',
      `${names.prefix}.>`,
      '-f',
      '--from',
      'beginning',
      '--nats',
      broker.url,
    ]);
    await tail.waitForLines(2);
    const after = await sampleEnvelopes(stream, 1, { after: 2 });
    await publishToNats(broker.url, names, after);
    const lines = await tail.waitForLines(3);
    tail.kill('SIGTERM');
    expect((await tail.done).code).toBe(0);
    [...before, ...after].forEach((envelope, i) => expectLine(at(lines, i), envelope));
  });

  it('a subject no JetStream stream captures: exit 1 without --follow, saying so', async () => {
    const ran = await eventfan(['tail', 'nats', 'nowhere.at.all', '--nats', broker.url]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('no JetStream stream at');
    expect(ran.stderr).toContain('captures "nowhere.at.all"');
  });
});
