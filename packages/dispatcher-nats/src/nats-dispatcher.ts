import { CoreNatsDispatcher } from './core-dispatcher.js';
import { JetStreamDispatcher } from './jetstream-dispatcher.js';
import type { CoreNatsDispatcherOptions, JetStreamDispatcherOptions } from './options.js';

/**
 * A dispatcher over a NATS connection you already have: JetStream (the default; acknowledged,
 * deduplicated by event id) or core NATS (`mode: 'core'`; at most once).
 */
export function natsDispatcher(options: JetStreamDispatcherOptions): JetStreamDispatcher;
export function natsDispatcher(options: CoreNatsDispatcherOptions): CoreNatsDispatcher;
export function natsDispatcher(
  options: JetStreamDispatcherOptions | CoreNatsDispatcherOptions,
): JetStreamDispatcher | CoreNatsDispatcher {
  return options.mode === 'core'
    ? new CoreNatsDispatcher(options)
    : new JetStreamDispatcher(options);
}
