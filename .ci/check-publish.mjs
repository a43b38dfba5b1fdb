// `npm publish --dry-run` exactly as a release would run it (prepack builds dist/ first), then checks what it would
// send: every file `exports` points at, nothing but the build and the docs, source maps that carry their sources
// (src/ is not published), and a size that is neither an empty package nor a runaway one.
// Run from the repository root: node .ci/check-publish.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MIN_FILES = 20; // the 6 subpaths alone are 24 files (.js, .cjs, .d.ts, .d.cts each)
// Guards against a runaway package, not a budget: about 60% of it is source maps carrying their sources. Raised from
// 512 kB / 2 MB when the trusted-device operations of the four stores took it to 565 kB / 2.19 MB.
const MAX_PACKED_BYTES = 768 * 1024;
const MAX_UNPACKED_BYTES = 3 * 1024 * 1024;
const ALLOWED = /^(dist\/.+\.(js|cjs|d\.ts|d\.cts|map)|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/;

const output = execFileSync('npm', ['publish', '--dry-run', '--json'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 64 * 1024 * 1024,
});
// The build's own lines come first on stdout; npm's JSON answer is the last object.
const report = Object.values(JSON.parse(output.slice(output.lastIndexOf('\n{') + 1)))[0];
const files = report.files.map((file) => file.path);
const problems = [];

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const targets = (value) => (typeof value === 'string' ? [value] : Object.values(value).flatMap(targets));
for (const target of new Set(targets(pkg.exports).map((path) => path.replace(/^\.\//, '')))) {
  if (!files.includes(target)) problems.push(`exports points at ${target}, which is not in the package`);
}
for (const path of files) if (!ALLOWED.test(path)) problems.push(`unexpected file in the package: ${path}`);

for (const path of files.filter((file) => file.endsWith('.map'))) {
  const map = JSON.parse(readFileSync(path, 'utf8'));
  const missing = map.sources.filter((_, index) => typeof map.sourcesContent?.[index] !== 'string');
  if (missing.length > 0) problems.push(`${path} points at sources it does not carry: ${missing.join(', ')}`);
}

if (files.length < MIN_FILES) problems.push(`only ${files.length} files: was dist/ built?`);
if (report.size > MAX_PACKED_BYTES) problems.push(`tarball is ${report.size} bytes (limit ${MAX_PACKED_BYTES})`);
if (report.unpackedSize > MAX_UNPACKED_BYTES)
  problems.push(`unpacked size is ${report.unpackedSize} bytes (limit ${MAX_UNPACKED_BYTES})`);

console.warn(
  `npm publish --dry-run: ${report.id}, ${files.length} files, ${(report.size / 1024).toFixed(1)} kB packed, ` +
    `${(report.unpackedSize / 1024).toFixed(1)} kB unpacked`,
);
if (problems.length > 0) {
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
