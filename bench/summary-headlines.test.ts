import { describe, expect, it } from 'vitest';
import { parseHeadlines } from './summary-headlines.js';

describe('parseHeadlines', () => {
  it('reads the forms the benchmarks print', () => {
    const output = [
      'nats-server v2.12.1 (local process)',
      'core: 50k combat commands over 1000 ogres, 7 paired rounds: best rate, median ratio',
      'emmett 1000x20: ratio 1.53x',
      'relay nats: ratio 0.940 (target >= 0.9)',
      'subscribe kafka: ratio 0.91x',
      'fan-out: ratio 1.12x',
      'concurrent nats: 19,834 events/s',
      'concurrent kafka: 1450',
      'concurrent kafka: ratio to librdkafka 0.050 (target >= 0.5)',
      'replay memory esdb: 1.02×',
      '  ratio dispatcher / raw (target >= 0.9)  0.930x',
      '  append esdb, 1 per call: ratio   1.68× the raw rate (median of rounds)',
      '  relay            12,004 events/s',
      '  JSON encode: ratio ours / SDK    2.63x',
      'seeded 110000 events in 5.1 s',
      'subscribe kafka: 20,000 events (streams of 1000) from a fresh group; 5 rounds',
      'single kafka: ratio 1.046',
      'Error: 3 brokers down',
    ].join('\n');
    expect(parseHeadlines(output).map(({ line: _, ...h }) => h)).toEqual([
      {
        label: 'emmett 1000x20',
        value: 1.53,
        unit: 'x',
        target: { op: '>=', value: 1.5 },
        pass: true,
      },
      {
        label: 'relay nats',
        value: 0.94,
        unit: 'x',
        target: { op: '>=', value: 0.9 },
        pass: true,
      },
      {
        label: 'subscribe kafka',
        value: 0.91,
        unit: 'x',
        target: { op: '>=', value: 0.9 },
        pass: true,
      },
      {
        label: 'fan-out',
        value: 1.12,
        unit: 'x',
        target: { op: '<=', value: 1.15 },
        pass: true,
      },
      { label: 'concurrent nats', value: 19834, unit: 'events/s' },
      { label: 'concurrent kafka', value: 1450, unit: '' },
      {
        label: 'concurrent kafka to librdkafka',
        value: 0.05,
        unit: 'x',
        target: { op: '>=', value: 0.5 },
        pass: false,
      },
      { label: 'replay memory esdb', value: 1.02, unit: 'x' },
      {
        label: 'append esdb, 1 per call',
        value: 1.68,
        unit: 'x',
        target: { op: '>=', value: 0.9 },
        pass: true,
      },
      {
        label: 'single kafka',
        value: 1.046,
        unit: 'x',
        target: { op: '>=', value: 0.9 },
        pass: true,
      },
    ]);
  });

  it('fails a ratio past its target', () => {
    const [fanOut] = parseHeadlines('fan-out: ratio 1.47x (target <= 1.15)');
    expect(fanOut).toMatchObject({ value: 1.47, pass: false });
  });
});
