/** Operations per second of `batch` sequential calls, timed as one block. */
export async function opsPerSecond(batch: number, call: (index: number) => unknown): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < batch; index++) await call(index);
  return batch / ((performance.now() - started) / 1000);
}

/** Same, for synchronous calls: no await between them, as a caller of a sync API would run them. */
export function opsPerSecondSync(batch: number, call: (index: number) => unknown): number {
  const started = performance.now();
  for (let index = 0; index < batch; index++) call(index);
  return batch / ((performance.now() - started) / 1000);
}

/** CPU time (user + system) this process spent, in microseconds, while `run` ran. Includes every thread. */
export async function cpuMicros(run: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}
