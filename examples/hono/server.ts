import { serve } from '../shared/server/serve.js';
import { honoNodeListener } from './node-listener.js';

// On Node: the same start-up as the Express and Koa examples (PORT, CORS_ORIGIN, MFA_ISSUER, the mode from the
// environment; see examples/README.md), the Hono app behind @hono/node-server's request listener.
await serve('hono', honoNodeListener);
