/** The error `action` fails with; throws when it succeeds, so a test can inspect the error whole. */
export async function failure(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, the call succeeded');
}
