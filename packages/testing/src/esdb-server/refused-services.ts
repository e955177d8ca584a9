import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { rpcErrors } from './rpc-errors.js';

/**
 * A service the test server does not implement, served so that each call fails with UNIMPLEMENTED
 * naming the call (e.g. "PersistentSubscriptions.Create is not implemented by the EventStoreDB test
 * server (emulator)") rather than gRPC's bare "method not found".
 */
export function refusedService(
  name: string,
  definition: ServiceDefinition,
): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  for (const [method, { path, requestStream, responseStream }] of Object.entries(definition)) {
    const refusal = () =>
      rpcErrors.unimplemented(`${name}.${path.slice(path.lastIndexOf('/') + 1)}`);
    handlers[method] =
      requestStream || responseStream
        ? (call: { emit(event: 'error', error: Error): void }) => call.emit('error', refusal())
        : (_call: unknown, callback: (error: Error) => void) => callback(refusal());
  }
  return handlers;
}
