import { describe, expect, it } from 'vitest';
import type { NatsConnection } from './client.js';
import { DEFAULT_MAX_CONTROL_LINE, limitProblem, limitsOf } from './limits.js';

/** Only what limitsOf reads: the server's INFO and the connection's options. */
const connection = (info: NatsConnection['info'], inboxPrefix?: string) =>
  ({ info, options: { inboxPrefix } }) as NatsConnection;

describe('limitsOf', () => {
  it('given a server that announces max_control_line, when read, then that limit is used', () => {
    const limits = limitsOf(connection({ max_payload: 1000, max_control_line: 512 }), false);
    expect(limits).toEqual({ maxPayload: 1000, maxControlLine: 512, replyBytes: 0 });
  });

  it("given a server that does not, when read, then nats-server's default of 4096 is used", () => {
    expect(limitsOf(connection({ max_payload: 1000 }), false).maxControlLine).toBe(
      DEFAULT_MAX_CONTROL_LINE,
    );
  });

  it('given a request with a custom inbox prefix, when read, then the reply room grows with it', () => {
    const standard = limitsOf(connection({ max_payload: 1000 }), true).replyBytes;
    const custom = limitsOf(connection({ max_payload: 1000 }, '_INBOX.my.app'), true).replyBytes;
    // `_INBOX.<22>.<22>` and a space.
    expect(standard).toBe('_INBOX'.length + 46 + 1);
    expect(custom - standard).toBe('.my.app'.length);
  });
});

describe('limitProblem', () => {
  const limits = { maxPayload: 1000, maxControlLine: 100, replyBytes: 0 };

  it('given a message over max_payload, when checked, then max_payload is named', () => {
    expect(limitProblem('a.b', 1001, limits)).toMatch(/over the server's max_payload of 1000/);
  });

  it('given a subject whose line fits exactly, when checked, then it passes; one byte more does not', () => {
    // subject + two sizes of 3 digits, each after a space.
    const fits = 'a'.repeat(100 - 2 * 4);
    expect(limitProblem(fits, 999, limits)).toBeUndefined();
    expect(limitProblem(`${fits}b`, 999, limits)).toMatch(
      /publish line would be 101 bytes, over the server's max_control_line of 100/,
    );
  });

  it('given a multi-byte subject, when checked, then its UTF-8 bytes count', () => {
    expect(limitProblem('é'.repeat(47), 999, limits)).toMatch(/is 94 bytes/);
  });
});
