// Run as a fresh `node bench/import/probe.mjs <specifier>` per sample: prints how long the first import of the
// specifier took in this process, in ms. No specifier: nothing is imported (the baseline). Plain JavaScript, so no
// loader hook is involved; 'saasus-mfa' resolves by package self-reference to the built dist/, as in a user's app.
const specifier = process.argv[2];
const started = performance.now();
if (specifier) await import(specifier);
process.stdout.write(JSON.stringify({ ms: performance.now() - started }));
