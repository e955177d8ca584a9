import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Broker, BrokerProvider } from './broker.js';
import { acquireBroker, acquireBrokerOrSkip } from './acquire.js';
import { containerRuntimeMissing } from './container-runtime.js';

const broker = (via: Broker['via'], url: string): Broker => ({
  kind: 'nats',
  via,
  url,
  label: `fake (${via})`,
  dispose: async () => {},
});

function provider(overrides: Partial<BrokerProvider> = {}): BrokerProvider {
  return {
    kind: 'nats',
    envVar: 'EVENTFAN_TEST_FAKE_URL',
    howToGet: 'Install the fake broker.',
    fromEnv: (url) => broker('env', url),
    local: async () => broker('process', 'nats://127.0.0.1:1'),
    ...overrides,
  };
}

describe('the broker fixture chain', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('takes the env var first', async () => {
    vi.stubEnv('EVENTFAN_TEST_FAKE_URL', 'nats://127.0.0.1:4222');
    expect(await acquireBroker(provider())).toMatchObject({
      via: 'env',
      url: 'nats://127.0.0.1:4222',
    });
  });

  it('tries containers only when a runtime answers, else a local process', async () => {
    vi.stubEnv('EVENTFAN_NO_CONTAINERS', '1');
    const container = vi.fn(async () => broker('testcontainers', 'nats://container'));
    expect(await acquireBroker(provider({ container }))).toMatchObject({ via: 'process' });
    expect(container).not.toHaveBeenCalled();
  });

  it('with ownProcess, skips the env var and containers: fault tests need a broker they can restart', async () => {
    vi.stubEnv('EVENTFAN_TEST_FAKE_URL', 'nats://127.0.0.1:4222');
    expect(await acquireBroker(provider(), { ownProcess: true })).toMatchObject({ via: 'process' });
  });

  it('says why each step failed and how to get the broker when none works', async () => {
    vi.stubEnv('EVENTFAN_NO_CONTAINERS', '1');
    const missing = await acquireBroker(
      provider({
        container: async () => broker('testcontainers', 'x'),
        local: async () => ({ kind: 'nats', missing: 'nats-server is not on PATH' }),
      }),
    );
    expect(missing).toEqual({
      kind: 'nats',
      missing:
        'no nats broker: EVENTFAN_TEST_FAKE_URL is not set; no containers (EVENTFAN_NO_CONTAINERS is set); nats-server is not on PATH. Install the fake broker.',
    });
  });

  it('fails instead of skipping where brokers are required (CI)', async () => {
    vi.stubEnv('CI', 'true');
    const none = provider({ local: async () => ({ kind: 'nats', missing: 'nothing here' }) });
    await expect(acquireBrokerOrSkip(none)).rejects.toThrow(
      /nothing here.*fails instead of skipping/,
    );
  });

  it('skips loudly where brokers are not required', async () => {
    vi.stubEnv('CI', '');
    vi.stubEnv('EVENTFAN_REQUIRE_BROKERS', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const none = provider({ local: async () => ({ kind: 'nats', missing: 'nothing here' }) });
    expect(await acquireBrokerOrSkip(none)).toMatchObject({
      missing: expect.stringContaining('nothing here'),
    });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('SKIPPING nats broker tests'));
    warn.mockRestore();
  });
});

describe('the container runtime probe', () => {
  it('answers with a reason or with undefined, and never throws (no Docker engine here means a reason)', async () => {
    const reason = await containerRuntimeMissing();
    if (reason !== undefined)
      expect(reason).toMatch(/DOCKER_HOST|socket|container runtime|EVENTFAN_NO_CONTAINERS/);
    else expect(reason).toBeUndefined();
  });
});
