import type { Prepared } from '../publisher.js';

/**
 * A batch reaches only the publisher that prepared it: another's has other fields or none.
 * `isOwn` tells the publisher's own prepared batches by a field only they have.
 */
export function assertPreparedBy<B extends Prepared>(
  publisher: { readonly name: string; readonly kind: string },
  prepared: Prepared,
  isOwn: (prepared: Prepared) => prepared is B,
): asserts prepared is B {
  if (prepared.target !== publisher.name || !isOwn(prepared)) {
    throw new TypeError(
      `${publisher.kind} publisher "${publisher.name}" was given a batch prepared by "${prepared.target}": publish what its own prepare() returned`,
    );
  }
}
