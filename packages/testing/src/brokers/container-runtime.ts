import { existsSync } from 'node:fs';

let answer: Promise<string | undefined> | undefined;

/**
 * Whether a container runtime answers: undefined when one does, else why not. Asked once per
 * process; testcontainers is loaded only when a socket or DOCKER_HOST suggests a runtime.
 */
export function containerRuntimeMissing(): Promise<string | undefined> {
  answer ??= probe();
  return answer;
}

async function probe(): Promise<string | undefined> {
  if (process.env['EVENTFAN_NO_CONTAINERS']) return 'EVENTFAN_NO_CONTAINERS is set';
  const sockets = ['/var/run/docker.sock', `${process.env['HOME'] ?? ''}/.docker/run/docker.sock`];
  if (!process.env['DOCKER_HOST'] && !sockets.some((s) => existsSync(s))) {
    return 'no DOCKER_HOST and no Docker socket';
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return `testcontainers found no container runtime: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}
