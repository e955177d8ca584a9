/**
 * An AbortSignal that fires on the first SIGINT or SIGTERM, so a command can stop cleanly (close
 * consumers, save checkpoints). A second signal, or a stop that takes longer than `graceMs`,
 * exits at once: a broker that stopped answering must not keep the process alive.
 */
export function stopOnSignals(graceMs: number): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    const code = 128 + (name === 'SIGINT' ? 2 : 15);
    if (controller.signal.aborted) process.exit(code);
    controller.abort(new Error(`stopped by ${name}`));
    setTimeout(() => {
      process.stderr.write(
        `eventfan: did not stop within ${graceMs / 1000} s of ${name}; exiting\n`,
      );
      process.exit(code);
    }, graceMs).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
