import { MfaConfigurationError } from '../errors.js';

/** The environment as a provider reads it: variable name to value. */
export type EnvironmentReader = Record<string, string | undefined>;

interface MaybeProcess {
  env?: Record<string, string | undefined>;
  emitWarning?: (message: string, options: { code: string }) => void;
}

const runtimeProcess = (): MaybeProcess | undefined => (globalThis as { process?: MaybeProcess }).process;

/**
 * `process.env`, read one variable at a time and only when a constructor asks (never at import). A runtime that
 * refuses the read (Deno without `--allow-env` throws `NotCapable`) gives a `MfaConfigurationError` that names the
 * variable and the option to pass instead, not the runtime's raw error. A runtime without `process` at all (Workers
 * without `nodejs_compat`) has no environment here: every variable reads as unset, so options must be passed.
 *
 * `optionFor` maps each variable to the option that replaces it, e.g. `{ MFA_ENCRYPTION_KEY: 'encryptionKey' }`.
 */
export function guardedEnvironment(owner: string, optionFor: Readonly<Record<string, string>>): EnvironmentReader {
  return new Proxy({} as EnvironmentReader, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      let env: MaybeProcess['env'];
      try {
        env = runtimeProcess()?.env;
        const value = env?.[name];
        return typeof value === 'string' ? value : undefined;
      } catch (error) {
        const option = optionFor[name] ?? 'env';
        throw new MfaConfigurationError(
          `${owner} could not read the environment variable ${name}: this runtime refuses environment access ` +
            `(on Deno, allow it with --allow-env=${name}); or pass { ${option} } to ${owner} instead`,
          // The runtime's own error class only: its message and stack are not this package's to pass on.
          { cause: error instanceof Error ? error.name : typeof error },
        );
      }
    },
  });
}

/** `process.emitWarning` where the runtime has it (it reaches Node's warning listeners), else `console.warn`. */
export function emitRuntimeWarning(message: string, code: string): void {
  const process = runtimeProcess();
  if (typeof process?.emitWarning === 'function') process.emitWarning(message, { code });
  else console.warn(`${message} [${code}]`);
}
