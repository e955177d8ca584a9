import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireBroker, brokersRequired } from './acquire.js';
import { isMissing, type Broker } from './broker.js';
import { findNatsServer, natsBroker } from './nats.js';

function portOf(url: string): number {
  return Number(new URL(url.replace('nats://', 'http://')).port);
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('natsBroker', () => {
  it('given NATS_URL, when acquired, then it wraps that URL without starting anything', async () => {
    const previous = process.env['NATS_URL'];
    process.env['NATS_URL'] = 'nats://127.0.0.1:4299';
    try {
      const broker = await acquireBroker(natsBroker);
      expect(broker).toMatchObject({ kind: 'nats', via: 'env', url: 'nats://127.0.0.1:4299' });
      expect('control' in broker).toBe(false);
    } finally {
      if (previous === undefined) delete process.env['NATS_URL'];
      else process.env['NATS_URL'] = previous;
    }
  });

  it('given EVENTFAN_NATS_SERVER names no executable, when a local server is asked for, then it says so and how to get one', async () => {
    const previous = process.env['EVENTFAN_NATS_SERVER'];
    process.env['EVENTFAN_NATS_SERVER'] = '/nonexistent/nats-server';
    try {
      expect(findNatsServer()).toBeUndefined();
      const broker = await acquireBroker(natsBroker, { ownProcess: true });
      expect(isMissing(broker) && broker.missing).toContain(
        'EVENTFAN_NATS_SERVER=/nonexistent/nats-server',
      );
      expect(isMissing(broker) && broker.missing).toContain('install nats-server');
    } finally {
      if (previous === undefined) delete process.env['EVENTFAN_NATS_SERVER'];
      else process.env['EVENTFAN_NATS_SERVER'] = previous;
    }
  });

  describe('local process', () => {
    let broker: Broker | undefined;
    afterEach(async () => {
      await broker?.dispose();
      broker = undefined;
    });

    const binary = findNatsServer();
    if (!binary && !brokersRequired()) {
      console.warn(
        '\n[eventfan] SKIPPING nats-server process fixture tests — no nats-server binary\n',
      );
    }

    it.skipIf(!binary && !brokersRequired())(
      'given a nats-server binary, when started, stopped and started again, then it serves on the same port and dispose leaves nothing behind',
      async () => {
        // A temp dir of this test's own, so other runs' servers cannot be mistaken for ours.
        const previousTmp = process.env['TMPDIR'];
        const privateTmp = mkdtempSync(join(tmpdir(), 'eventfan-fixture-test-'));
        process.env['TMPDIR'] = privateTmp;
        let made: string[];
        let acquired: Awaited<ReturnType<typeof acquireBroker>>;
        try {
          acquired = await acquireBroker(natsBroker, { ownProcess: true });
          made = readdirSync(privateTmp).map((name) => join(privateTmp, name));
        } finally {
          if (previousTmp === undefined) delete process.env['TMPDIR'];
          else process.env['TMPDIR'] = previousTmp;
        }
        if (isMissing(acquired)) throw new Error(acquired.missing);
        broker = acquired;
        expect(broker.via).toBe('process');
        expect(broker.label).toMatch(/^nats-server v?2\.\d+/);
        const port = portOf(broker.url);
        expect(await accepts(port)).toBe(true);

        await broker.control?.stop();
        expect(await accepts(port)).toBe(false);
        await broker.control?.start();
        expect(await accepts(port)).toBe(true);

        await broker.dispose();
        broker = undefined;
        expect(await accepts(port)).toBe(false);
        expect(made).toHaveLength(1);
        expect(made.filter((dir) => existsSync(dir))).toEqual([]);
        rmSync(privateTmp, { recursive: true, force: true });
      },
    );
  });
});
