import { serve } from '../shared/serve.js';
import { createExpressApp } from './app.js';

// PORT, CORS_ORIGIN, MFA_ISSUER and SAASUS_* from the environment; DEMO mode without SaaSus credentials.
await serve('express', (deps) => createExpressApp(deps));
