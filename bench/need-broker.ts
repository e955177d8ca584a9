import { acquireBroker, isMissing, type Broker, type BrokerProvider } from '@eventfan/testing';

/** The broker `provider` gives, or — a bench cannot run without it — exit 1 saying what is missing. */
export async function needBroker(bench: string, provider: BrokerProvider): Promise<Broker> {
  const broker = await acquireBroker(provider);
  if (isMissing(broker)) {
    console.error(`bench/${bench}: ${broker.missing}`);
    process.exit(1);
  }
  return broker;
}
