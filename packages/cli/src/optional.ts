import { CliError } from './errors.js';

/**
 * Imports an optional peer (an adapter or a broker client) only when a command needs it, so a user
 * installs only the brokers they use. A missing package becomes one line saying what to install.
 */
export async function optional<T>(
  load: () => Promise<T>,
  packages: readonly string[],
  purpose: string,
): Promise<T> {
  const loaded = await ifInstalled(load, packages);
  if (loaded === undefined) throw new CliError(`install ${packages.join(' ')} to ${purpose}`);
  return loaded;
}

/** The module, or undefined when one of `packages` is not installed; other failures throw. */
export async function ifInstalled<T>(
  load: () => Promise<T>,
  packages: readonly string[],
): Promise<T | undefined> {
  try {
    return await load();
  } catch (error) {
    if (isMissingPackage(error, packages)) return undefined;
    throw error;
  }
}

/** True when the import failed because one of `packages` (not something inside it) is absent. */
function isMissingPackage(error: unknown, packages: readonly string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = error instanceof Error ? error.message : '';
  return packages.some((name) => message.includes(`'${name}'`) || message.includes(`"${name}"`));
}
