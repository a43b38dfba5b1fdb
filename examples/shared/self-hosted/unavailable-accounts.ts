import { HttpError } from '../handlers/answer.js';
import type { AccountStore } from './accounts.js';

/**
 * The account store with every failure turned into one refusal of the example's own: 502 `provider_error`, the
 * answer the SDK gives when its MFA store fails, so the client sees one kind of "try again later" whichever store
 * broke. The driver's message (which may quote keys or values) goes nowhere; only its class name is kept.
 */
export function failingAsUnavailable(store: AccountStore): AccountStore {
  const guard =
    <A extends unknown[], R>(method: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await method.apply(store, args);
      } catch (error) {
        const name = error instanceof Error ? error.name : typeof error;
        throw new HttpError(502, 'provider_error', `The account store failed (${name})`);
      }
    };
  return {
    addAccount: guard(store.addAccount),
    findAccount: guard(store.findAccount),
    putToken: guard(store.putToken),
    findToken: guard(store.findToken),
    takeToken: guard(store.takeToken),
    endOtherSessions: guard(store.endOtherSessions),
  };
}
