// Imports every public subpath of the packed package, one at a time, and reports which load: the runtime x subpath
// table. The stores' drivers (ioredis, pg) and msw are installed beside it, as an app using them would have them.
const SUBPATHS = [
  'saasus-mfa',
  'saasus-mfa/totp',
  'saasus-mfa/saasus',
  'saasus-mfa/testing',
  'saasus-mfa/testing/saasus',
  'saasus-mfa/stores/redis',
  'saasus-mfa/stores/postgres',
  'saasus-mfa/stores/sqlite',
];
const outcome = {};
for (const subpath of SUBPATHS) {
  try {
    const module = await import(subpath);
    outcome[subpath] = Object.keys(module).length > 0 ? 'imports' : 'empty';
  } catch (error) {
    outcome[subpath] = `${error?.name}: ${String(error?.message).split('\n')[0]}`;
  }
}
// The one line of output the suite parses.
// eslint-disable-next-line no-console
console.log(JSON.stringify(outcome));
// msw, once loaded, may keep a runtime's event loop alive: the report is out, so end here.
if (globalThis.Deno) globalThis.Deno.exit(0);
else globalThis.process?.exit(0);
