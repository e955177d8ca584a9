import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  BrokerUnavailable,
  ConcurrencyConflict,
  EventfanError,
  InvalidEvent,
} from '@eventfan/core';
import { AccessDenied, fromClientError, NotLeader, StreamDeleted } from './errors.js';

const site = { target: 'esdb', stream: 'order-1', expectedGeneration: 3, writing: true };

const wrongVersion = (current: bigint | 'no_stream') =>
  new WrongExpectedVersionError(undefined, { streamName: 'order-1', current, expected: 2n });

describe('fromClientError', () => {
  const rows: [string, unknown, new (...args: never[]) => Error, Record<string, unknown>][] = [
    [
      'a wrong expected version',
      wrongVersion(4n),
      ConcurrencyConflict,
      { stream: 'order-1', expectedGeneration: 3, actualGeneration: 5, target: 'esdb' },
    ],
    [
      'a wrong expected version on no stream',
      wrongVersion('no_stream'),
      ConcurrencyConflict,
      { actualGeneration: 0 },
    ],
    [
      'a wrong expected version on a stream the server numbers -1',
      wrongVersion(-1n),
      ConcurrencyConflict,
      { actualGeneration: 0 },
    ],
    [
      "KurrentDB's wrong expected version",
      { type: 'wrong-expected-version', actualState: 1n },
      ConcurrencyConflict,
      { actualGeneration: 2 },
    ],
    [
      'a deleted stream',
      StreamDeletedError.fromStreamName('order-1'),
      StreamDeleted,
      { code: 'STREAM_DELETED', stream: 'order-1' },
    ],
    [
      'access denied',
      new AccessDeniedError(),
      AccessDenied,
      { code: 'ACCESS_DENIED', stream: 'order-1' },
    ],
    [
      'a follower',
      { type: 'not-leader', leader: { address: '10.0.0.2', port: 2113 } },
      NotLeader,
      { leader: '10.0.0.2:2113', retriable: true },
    ],
    [
      'an append too large',
      MaxAppendSizeExceededError.fromMaxAppendSize(1024),
      InvalidEvent,
      { code: 'INVALID_EVENT' },
    ],
    [
      'an unavailable server',
      new UnavailableError(undefined, 'no connection'),
      BrokerUnavailable,
      { code: 'BROKER_UNAVAILABLE' },
    ],
    [
      'a deadline',
      new DeadlineExceededError(undefined, 'too slow'),
      BrokerUnavailable,
      { code: 'BROKER_TIMEOUT' },
    ],
    [
      'a raw gRPC UNAVAILABLE',
      { code: 14, message: '14 UNAVAILABLE: No connection established' },
      BrokerUnavailable,
      { code: 'BROKER_UNAVAILABLE' },
    ],
    [
      'anything else',
      new UnknownError(undefined, 'boom'),
      EventfanError,
      { code: 'ESDB_REQUEST_FAILED' },
    ],
  ];

  it.each(rows)(
    'given %s from the client, when mapped, then it is a typed eventfan error',
    (_, error, type, fields) => {
      const mapped = fromClientError(error, site);
      expect(mapped).toBeInstanceOf(type);
      expect(mapped).toMatchObject(fields);
    },
  );

  it('given a lost append, when mapped, then the message names stream and target and says to retry with the same ids', () => {
    const mapped = fromClientError(new UnavailableError(undefined, 'connection reset'), site);
    expect(mapped.message).toContain('"esdb"');
    expect(mapped.message).toContain('stream "order-1"');
    expect(mapped.message).toContain('retry with the same envelopes');
  });

  it('given the server says how large an append may be, when mapped, then the message says the limit', () => {
    expect(
      fromClientError(MaxAppendSizeExceededError.fromMaxAppendSize(1024), site).message,
    ).toContain('of 1024 bytes');
  });

  it('given an eventfan error already, when mapped, then it passes through unchanged', () => {
    const typed = new InvalidEvent('bad', { stream: 'order-1' });
    expect(fromClientError(typed, site)).toBe(typed);
  });

  it('given a wrong expected version outside an append, when mapped, then it is not a concurrency conflict', () => {
    const mapped = fromClientError(wrongVersion(1n), { target: 'esdb', stream: 'order-1' });
    expect(mapped).not.toBeInstanceOf(ConcurrencyConflict);
    expect(mapped).toMatchObject({ code: 'ESDB_REQUEST_FAILED' });
  });
});
