import { TargetClosed } from '../errors.js';

/** Every adapter answers a call after close() the same way: TargetClosed, nothing sent. */
export function assertOpen(target: string, closed: boolean): void {
  if (closed) throw new TargetClosed(target);
}
