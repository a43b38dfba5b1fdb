// Node, Bun and Deno entry: runs the lifecycle and prints one JSON line. The fake SaaSus's address comes as the
// first argument (JSON), not from the environment: the Deno run has no --allow-env, on purpose.
import { runLifecycle } from './lifecycle.mjs';

const argument = (globalThis.Deno?.args ?? globalThis.process?.argv.slice(2) ?? [])[0];
const result = await runLifecycle(argument ? JSON.parse(argument) : undefined);
// The one line of output the suite parses.
// eslint-disable-next-line no-console
console.log(JSON.stringify(result));
