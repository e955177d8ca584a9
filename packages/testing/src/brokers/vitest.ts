import { describe, inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import type { BrokerKind, BrokerProvider, BrokerVia } from './broker.js';
import { isMissing } from './broker.js';
import { acquireBrokerOrSkip } from './acquire.js';

/** What a vitest globalSetup hands to the test files about the broker it got. */
export type ProvidedBroker =
  | {
      readonly kind: BrokerKind;
      readonly via: BrokerVia;
      readonly url: string;
      readonly label: string;
    }
  | { readonly kind: BrokerKind; readonly missing: string };

declare module 'vitest' {
  export interface ProvidedContext {
    'eventfan.broker.nats': ProvidedBroker;
    'eventfan.broker.kafka': ProvidedBroker;
    'eventfan.broker.esdb': ProvidedBroker;
  }
}

/**
 * A vitest globalSetup that gets one broker for a whole test run (starting Kafka once, not per
 * file) and disposes of it after:
 * ```ts
 * // test/global-setup.ts
 * export default brokerGlobalSetup(natsBroker);
 * ```
 */
export function brokerGlobalSetup(provider: BrokerProvider) {
  return async (project: TestProject): Promise<() => Promise<void>> => {
    const broker = await acquireBrokerOrSkip(provider);
    const key = `eventfan.broker.${provider.kind}` as const;
    if (isMissing(broker)) {
      project.provide(key, broker);
      return async () => {};
    }
    console.info(`[eventfan] ${provider.kind} tests run against ${broker.label} at ${broker.url}`);
    project.provide(key, {
      kind: broker.kind,
      via: broker.via,
      url: broker.url,
      label: broker.label,
    });
    return () => broker.dispose();
  };
}

/** The broker the globalSetup got for this run. */
export function injectBroker(kind: BrokerKind): ProvidedBroker {
  return inject(`eventfan.broker.${kind}`);
}

/**
 * `describe` that runs when the run has a broker of this kind and skips, loudly, when it has none
 * (the globalSetup already failed the run if brokers are required).
 */
export function describeWithBroker(
  kind: BrokerKind,
  name: string,
  body: (broker: Exclude<ProvidedBroker, { missing: string }>) => void,
): void {
  const broker = injectBroker(kind);
  const missing = 'missing' in broker ? broker.missing : undefined;
  const title =
    'missing' in broker ? `${name} — SKIPPED: ${broker.missing}` : `${name} [${broker.label}]`;
  describe.skipIf(missing !== undefined)(title, () => {
    if (!('missing' in broker)) body(broker);
  });
}
