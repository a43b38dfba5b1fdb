import type { MfaCallContext } from 'saasus-mfa';

/**
 * The SDK's call context with the client's address as `clientKey`: the SDK counts wrong codes per user and client, so
 * one attacker's address locks itself out, not the user's own device (below the per-user ceiling).
 */
export function clientContext(clientAddress: string | undefined, ctx: MfaCallContext = {}): MfaCallContext {
  return clientAddress ? { ...ctx, clientKey: clientAddress } : ctx;
}
