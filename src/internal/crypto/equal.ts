/**
 * Compares two byte strings in time that depends on their length only, never on where they first differ: an
 * XOR-accumulate loop with no early exit (otplib's own default does the same), for runtimes without node:crypto.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
