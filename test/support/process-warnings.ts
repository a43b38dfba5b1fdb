/** Process warnings emitted while `run` runs (Node delivers them on a later tick, so this waits a little after). */
export async function warningsDuring(run: () => unknown): Promise<(Error & { code?: string })[]> {
  const warnings: (Error & { code?: string })[] = [];
  const onWarning = (warning: Error & { code?: string }) => void warnings.push(warning);
  process.on('warning', onWarning);
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}
