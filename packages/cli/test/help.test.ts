import { describe, expect, it } from 'vitest';
import { eventfan } from './support/bin.js';

/** `--help` of every command: exit 0, its usage line, and the options a user looks for. */
describe('eventfan --help', () => {
  const cases: { args: string[]; usage: string; mentions: string[] }[] = [
    {
      args: [],
      usage: 'eventfan [options] [command]',
      mentions: ['tail', 'replay', 'relay', 'Exit codes: 0 ok, 1 runtime failure', 'KAFKA_BROKERS'],
    },
    {
      args: ['tail'],
      usage: 'eventfan tail [options] [command]',
      mentions: ['kafka', 'nats', 'esdb'],
    },
    {
      args: ['tail', 'kafka'],
      usage: 'eventfan tail kafka [options] <topic>',
      mentions: [
        '--follow',
        '--json',
        '--from <where>',
        '--max <count>',
        '--kafka <brokers>',
        'env: KAFKA_BROKERS',
      ],
    },
    {
      args: ['tail', 'nats'],
      usage: 'eventfan tail nats [options] <subject>',
      mentions: ['--follow', '--json', '--nats <url>', 'env: NATS_URL', 'JetStream'],
    },
    {
      args: ['tail', 'esdb'],
      usage: 'eventfan tail esdb [options] <stream>',
      mentions: ['--follow', '--json', '$all', 'env: ESDB_CONNECTION_STRING'],
    },
    {
      args: ['replay'],
      usage: 'eventfan replay [options]',
      mentions: ['--from-esdb <stream>', '--to <targets>', '--no-count', 'Replaying is safe'],
    },
    {
      args: ['relay'],
      usage: 'eventfan relay [options]',
      mentions: ['--from-esdb', '--checkpoints <file>', 'lag', 'SIGTERM'],
    },
  ];

  for (const { args, usage, mentions } of cases) {
    it(`eventfan ${[...args, '--help'].join(' ')}`, async () => {
      const ran = await eventfan([...args, '--help']);
      expect(ran.code).toBe(0);
      expect(ran.stderr).toBe('');
      expect(ran.stdout).toContain(`Usage: ${usage}`);
      // Commander wraps to the terminal's width: compare with whitespace collapsed.
      const flat = ran.stdout.replace(/\s+/g, ' ');
      for (const text of mentions) expect(flat).toContain(text);
    });
  }

  it('--version prints the package version', async () => {
    const ran = await eventfan(['--version']);
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
