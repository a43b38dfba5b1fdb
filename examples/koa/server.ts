import { serve } from '../shared/server/serve.js';
import { createKoaApp } from './app.js';

// PORT, CORS_ORIGIN, MFA_ISSUER, and the mode from the environment: SAASUS_* (SaaSus), SAASUS_DEMO=1, or self-hosted
// (memory, REDIS_URL or DATABASE_URL). See examples/README.md.
await serve('koa', (deps) => createKoaApp(deps).callback());
