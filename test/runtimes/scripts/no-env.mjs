// Run on Deno WITHOUT --allow-env: importing every subpath must not touch the environment, and a provider that
// would have read a variable fails with MfaConfigurationError naming it, never Deno's raw NotCapable.
const outcome = {};
for (const subpath of ['saasus-mfa', 'saasus-mfa/totp', 'saasus-mfa/saasus', 'saasus-mfa/testing']) {
  try {
    await import(subpath);
    outcome[subpath] = 'imported';
  } catch (error) {
    outcome[subpath] = `${error?.name}: ${error?.message}`;
  }
}
const { TotpMfaProvider } = await import('saasus-mfa/totp');
const { SaasusMfaProvider } = await import('saasus-mfa/saasus');
for (const [name, construct] of [
  ['TotpMfaProvider', () => new TotpMfaProvider()],
  ['SaasusMfaProvider', () => new SaasusMfaProvider()],
  [
    'TotpMfaProvider with every option',
    () => new TotpMfaProvider({ encryptionKey: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=' }),
  ],
]) {
  try {
    construct();
    outcome[name] = 'constructed';
  } catch (error) {
    outcome[name] = `${error?.name}:${error?.code}: ${error?.message}`;
  }
}
// The one line of output the suite parses.
// eslint-disable-next-line no-console
console.log(JSON.stringify(outcome));
