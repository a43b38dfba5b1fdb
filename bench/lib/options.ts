/** How hard the suite works. `smoke` runs every measurement a few times only: it proves the suite works, nothing more. */
export interface BenchOptions {
  smoke: boolean;
}

/** The smoke value or the full one. */
export function scale<T>(options: BenchOptions, smoke: T, full: T): T {
  return options.smoke ? smoke : full;
}
