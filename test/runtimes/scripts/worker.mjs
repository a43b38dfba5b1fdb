// Workers entry (wrangler dev, local mode): one GET runs the lifecycle. The fake SaaSus's address comes in the
// query string, as JSON.
import { runLifecycle } from './lifecycle.mjs';

export default {
  async fetch(request) {
    const fake = new URL(request.url).searchParams.get('fake');
    try {
      const result = await runLifecycle(fake ? JSON.parse(fake) : undefined);
      return Response.json(result);
    } catch (error) {
      return Response.json({ crashed: `${error?.name}: ${error?.message}` }, { status: 500 });
    }
  },
};
