import { freePort } from '@eventfan/testing';
import { describe, expect, it } from 'vitest';
import { eventfan } from './support/bin.js';

describe('bad arguments exit 2 with a usage message', () => {
  const cases: { args: string[]; env?: Record<string, string>; says: RegExp }[] = [
    { args: ['frobnicate'], says: /unknown command 'frobnicate'/ },
    { args: ['tail', 'kafka'], says: /missing required argument 'topic'/ },
    {
      args: ['tail', 'nats', 'a.b', '--max', '0'],
      says: /--max <count>' argument '0' is invalid\. expected a whole number >= 1/,
    },
    {
      args: ['tail', 'nats', 'a.b', '--from', 'middle'],
      says: /argument 'middle' is invalid\. Allowed choices are beginning, end/,
    },
    {
      args: ['tail', 'nats', 'a.b'],
      says: /no NATS server URL given: pass --nats nats:\/\/localhost:4222 or set NATS_URL/,
    },
    {
      args: ['tail', 'esdb', 's'],
      says: /no EventStoreDB\/KurrentDB connection string given: pass --esdb .* or set ESDB_CONNECTION_STRING/,
    },
    {
      args: ['replay', '--to', 'nats'],
      says: /required option '--from-esdb <stream>' not specified/,
    },
    {
      args: ['replay', '--from-esdb', 's', '--to', 'nats,redis'],
      says: /unknown target "redis"; choose from nats, kafka/,
    },
    { args: ['replay', '--from-esdb', 's', '--to', 'nats,nats'], says: /a target is named twice/ },
    {
      args: ['replay', '--from-esdb', 's', '--to', 'nats', '--esdb', 'esdb://x:1?tls=false'],
      says: /no NATS server URL given/,
    },
    {
      args: [
        'replay',
        '--from-esdb',
        's',
        '--to',
        'kafka',
        '--aggregates',
        'a',
        '--esdb',
        'esdb://x:1?tls=false',
        '--kafka',
        'x:1',
      ],
      says: /--aggregates filters \$all only/,
    },
    {
      args: ['relay', '--from-esdb', '--to', 'nats'],
      says: /required option '--checkpoints <file>' not specified/,
    },
  ];
  for (const { args, env, says } of cases) {
    it(`eventfan ${args.join(' ')}`, async () => {
      const ran = await eventfan(args, env);
      expect(ran.code).toBe(2);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toMatch(says);
      expect(ran.stderr).toContain('(add --help for usage)');
    });
  }

  it('an env var stands in for the flag', async () => {
    const port = await freePort();
    const ran = await eventfan(['tail', 'nats', 'a.b'], { NATS_URL: `nats://127.0.0.1:${port}` });
    // Past the usage check: the address from the env var was used, and nothing answers there.
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`cannot reach NATS at nats://127.0.0.1:${port}`);
  });
});

describe('an unreachable broker exits 1 naming the address', () => {
  it('NATS', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const ran = await eventfan(['tail', 'nats', 'a.b', '--nats', url]);
    expect(ran.code).toBe(1);
    expect(ran.stderr.trim()).toMatch(
      new RegExp(`^eventfan: cannot reach NATS at ${url}: CONNECTION_REFUSED$`),
    );
  });

  it('Kafka', async () => {
    const brokers = `127.0.0.1:${await freePort()}`;
    const ran = await eventfan(['tail', 'kafka', 'topic', '--kafka', brokers]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`eventfan: cannot reach Kafka at ${brokers}: `);
    expect(ran.stderr).toContain('ECONNREFUSED');
  });

  it('EventStoreDB', async () => {
    const url = `esdb://127.0.0.1:${await freePort()}?tls=false`;
    const ran = await eventfan(['tail', 'esdb', 'stream', '--esdb', url]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`eventfan: cannot reach EventStoreDB at ${url}: `);
    expect(ran.stderr).toContain('UNAVAILABLE');
  });

  it('a replay target, before anything is read', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const esdb = `esdb://127.0.0.1:${await freePort()}?tls=false`;
    const ran = await eventfan([
      'replay',
      '--from-esdb',
      '$all',
      '--to',
      'nats',
      '--esdb',
      esdb,
      '--nats',
      url,
    ]);
    expect(ran.code).toBe(1);
    // The source is reached first: its address is the one named.
    expect(ran.stderr).toContain(`cannot reach EventStoreDB at ${esdb}`);
  });
});
