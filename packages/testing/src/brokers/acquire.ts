import type { Broker, BrokerProvider, LocalBrokerOptions, MissingBroker } from './broker.js';
import { isMissing } from './broker.js';
import { containerRuntimeMissing } from './container-runtime.js';

export interface AcquireOptions extends LocalBrokerOptions {
  /**
   * Skip the env var and containers and start a broker of our own: fault tests need one they can
   * stop and restart.
   */
  readonly ownProcess?: boolean;
}

/** True where a missing broker must fail the run instead of skipping: in CI, or when asked. */
export function brokersRequired(): boolean {
  return Boolean(process.env['CI'] || process.env['EVENTFAN_REQUIRE_BROKERS']);
}

/**
 * The fixture chain: the env var, else testcontainers when a runtime answers, else a local process
 * (or, for ESDB, the in-process test server), else a MissingBroker saying how to get one.
 */
export async function acquireBroker(
  provider: BrokerProvider,
  options: AcquireOptions = {},
): Promise<Broker | MissingBroker> {
  const reasons: string[] = [];
  if (!options.ownProcess) {
    const url = process.env[provider.envVar];
    if (url) return provider.fromEnv(url);
    reasons.push(`${provider.envVar} is not set`);
    if (provider.container) {
      const noRuntime = await containerRuntimeMissing();
      if (noRuntime === undefined) return provider.container();
      reasons.push(`no containers (${noRuntime})`);
    }
  }
  if (provider.local) {
    const local = await provider.local(options);
    if (!isMissing(local)) return local;
    reasons.push(local.missing);
  }
  return {
    kind: provider.kind,
    missing: `no ${provider.kind} broker: ${reasons.join('; ')}. ${provider.howToGet}`,
  };
}

/** Like acquireBroker, but a missing broker throws where brokers are required (CI). */
export async function acquireBrokerOrSkip(
  provider: BrokerProvider,
  options: AcquireOptions = {},
): Promise<Broker | MissingBroker> {
  const broker = await acquireBroker(provider, options);
  if (isMissing(broker)) {
    if (brokersRequired()) {
      throw new Error(
        `[eventfan] ${broker.missing} (CI/EVENTFAN_REQUIRE_BROKERS is set, so this fails instead of skipping)`,
      );
    }
    console.warn(`\n[eventfan] SKIPPING ${broker.kind} broker tests — ${broker.missing}\n`);
  }
  return broker;
}
