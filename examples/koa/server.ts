import { serve } from '../shared/serve.js';
import { createKoaApp } from './app.js';

// PORT, CORS_ORIGIN, MFA_ISSUER and SAASUS_* from the environment; DEMO mode without SaaSus credentials.
await serve('koa', (deps) => createKoaApp(deps).callback());
