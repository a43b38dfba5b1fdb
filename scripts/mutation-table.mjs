// The per-file table of docs/mutation.md from Stryker's JSON reports: node scripts/mutation-table.mjs <mutation.json>...
// Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker counts it.
import { readFileSync } from 'node:fs';

const rows = [];
for (const path of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const count = (status) => mutants.filter((mutant) => mutant.status === status).length;
    const [killed, survived, timeout, noCoverage] = ['Killed', 'Survived', 'Timeout', 'NoCoverage'].map(count);
    const valid = killed + survived + timeout + noCoverage;
    const score = valid === 0 ? 'n/a' : `${((100 * (killed + timeout)) / valid).toFixed(1)}%`;
    rows.push(`| ${file} | ${mutants.length} | ${killed} | ${survived} | ${timeout} | ${noCoverage} | ${score} |`);
  }
}
console.log('| File | Mutants | Killed | Survived | Timeout | No coverage | Score |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(rows.sort().join('\n'));
