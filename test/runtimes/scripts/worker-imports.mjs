// Workers entry for the runtime x subpath table: each subpath imported on request, its outcome reported. Literal
// specifiers, so wrangler bundles every one of them.
const SUBPATHS = {
  'saasus-mfa': () => import('saasus-mfa'),
  'saasus-mfa/totp': () => import('saasus-mfa/totp'),
  'saasus-mfa/saasus': () => import('saasus-mfa/saasus'),
  'saasus-mfa/testing': () => import('saasus-mfa/testing'),
  'saasus-mfa/testing/saasus': () => import('saasus-mfa/testing/saasus'),
  'saasus-mfa/stores/redis': () => import('saasus-mfa/stores/redis'),
  'saasus-mfa/stores/postgres': () => import('saasus-mfa/stores/postgres'),
  'saasus-mfa/stores/sqlite': () => import('saasus-mfa/stores/sqlite'),
};

export default {
  async fetch() {
    const outcome = {};
    for (const [subpath, load] of Object.entries(SUBPATHS)) {
      try {
        const module = await load();
        outcome[subpath] = Object.keys(module).length > 0 ? 'imports' : 'empty';
      } catch (error) {
        outcome[subpath] = `${error?.name}: ${String(error?.message).split('\n')[0]}`;
      }
    }
    return Response.json(outcome);
  },
};
