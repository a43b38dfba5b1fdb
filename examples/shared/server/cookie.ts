/**
 * One cookie's value from a `Cookie` header (percent-decoded when it can be); undefined when missing or present
 * twice (ambiguous: neither is used). The same rule for the Node and the Fetch adapters.
 */
export function cookieFrom(header: string | null | undefined, name: string): string | undefined {
  const values = (header ?? '')
    .split(';')
    .map((pair) => pair.trim().split('='))
    .filter(([key]) => key === name)
    .map(([, ...value]) => value.join('='));
  if (values.length !== 1) return undefined;
  try {
    return decodeURIComponent(values[0]!);
  } catch {
    return values[0];
  }
}
