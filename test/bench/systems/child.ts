// What every measured system's process shares: its settings from the bench, and the line that says it is ready.

/** The JSON the bench passed in BENCH_CHILD_CONFIG (its shape is the caller's to name: `childConfig() as MyConfig`). */
export function childConfig(): unknown {
  const raw = process.env.BENCH_CHILD_CONFIG;
  if (raw === undefined) throw new Error('BENCH_CHILD_CONFIG is not set: this script is started by test/bench/run.ts');
  return JSON.parse(raw);
}

/** Tells the bench (reading stdout) that this process is ready, with whatever it needs to know (a port, a count). */
export function announce(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'ready', ...fields })}\n`);
}

/** Ends the process on the bench's SIGTERM, after `close` (bounded, so a stuck close cannot hang the bench). */
export function exitOnSignal(close: () => Promise<void> = () => Promise.resolve()): void {
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(1), 5_000).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
