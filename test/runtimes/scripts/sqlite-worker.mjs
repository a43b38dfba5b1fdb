// Workers entry of the SQLite lifecycle: one GET runs it on the D1 binding (wrangler-sqlite.toml).
import { d1Driver } from 'saasus-mfa/stores/sqlite';
import { runSqliteLifecycle } from './sqlite-lifecycle.mjs';

export default {
  async fetch(request, env) {
    try {
      return Response.json(await runSqliteLifecycle(d1Driver(env.DB), 'd1'));
    } catch (error) {
      return Response.json({ crashed: `${error?.name}: ${error?.message}` }, { status: 500 });
    }
  },
};
