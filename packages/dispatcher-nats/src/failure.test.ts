import { errors } from '@nats-io/transport-node';
import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import { ErrorCode, NatsError } from 'nats';
import { describe, expect, it } from 'vitest';
import { classify } from './failure.js';

const apiError = { code: 400, err_code: 10071, description: 'wrong last sequence: 7' };

describe('classify', () => {
  it.each([
    ['no responders', NatsError.errorForCode(ErrorCode.NoResponders), 'no-responders'],
    ['timeout', NatsError.errorForCode(ErrorCode.Timeout), 'timeout'],
    ['permission', NatsError.errorForCode(ErrorCode.PermissionsViolation), 'permission'],
    ['closed', NatsError.errorForCode(ErrorCode.ConnectionClosed), 'closed'],
    ['max payload', NatsError.errorForCode(ErrorCode.MaxPayloadExceeded), 'max-payload'],
  ])('given a nats 2.x %s error, when classified, then it is %s', (_what, error, kind) => {
    expect(classify(error).kind).toBe(kind);
  });

  it('given a nats 2.x JetStream API error, when classified, then its err_code and description come out', () => {
    const error = Object.assign(new NatsError('wrong last sequence: 7', '400'), {
      api_error: apiError,
    });
    expect(classify(error)).toEqual({
      kind: 'jetstream',
      errCode: 10071,
      description: 'wrong last sequence: 7',
    });
  });

  it.each([
    ['timeout', new errors.TimeoutError(), 'timeout'],
    [
      'permission',
      new errors.PermissionViolationError('Permissions Violation', 'publish', 'a.b'),
      'permission',
    ],
    ['closed', new errors.ClosedConnectionError(), 'closed'],
    [
      'no responders wrapped as "JetStream not enabled"',
      new JetStreamError('jetstream is not enabled', {
        cause: new errors.RequestError('no responders', {
          cause: new errors.NoRespondersError('a.b'),
        }),
      }),
      'no-responders',
    ],
    [
      'max payload',
      errors.InvalidArgumentError.format('payload', 'max_payload size exceeded'),
      'max-payload',
    ],
  ])('given a @nats-io 3.x %s error, when classified, then it is %s', (_what, error, kind) => {
    expect(classify(error).kind).toBe(kind);
  });

  it('given a @nats-io 3.x JetStream API error, when classified, then its err_code and description come out', () => {
    expect(classify(new JetStreamApiError(apiError))).toEqual({
      kind: 'jetstream',
      errCode: 10071,
      description: 'wrong last sequence: 7',
    });
  });

  it('given something else, when classified, then it is other', () => {
    expect(classify(new Error('boom')).kind).toBe('other');
    expect(classify('not an error').kind).toBe('other');
  });
});
