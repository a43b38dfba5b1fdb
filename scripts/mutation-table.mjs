// The per-file table of docs/mutation.md from Stryker's JSON reports: node scripts/mutation-table.mjs <mutation.json>...
// Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker counts it; ignored (static
// mutants left out with MUTATION_IGNORE_STATIC=1) are not counted. "Killed only" counts a timeout as a survivor (on a
// loaded machine a slow run can time out). "Tests run" is the cost: test runs over all mutants.
import { readFileSync } from 'node:fs';

const rows = [];
for (const path of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const count = (status) => mutants.filter((mutant) => mutant.status === status).length;
    const [killed, survived, timeout, noCoverage, ignored] = [
      'Killed',
      'Survived',
      'Timeout',
      'NoCoverage',
      'Ignored',
    ].map(count);
    const valid = killed + survived + timeout + noCoverage;
    const score = valid === 0 ? 'n/a' : `${((100 * (killed + timeout)) / valid).toFixed(1)}%`;
    const strict = valid === 0 ? 'n/a' : `${((100 * killed) / valid).toFixed(1)}%`;
    const testsRun = mutants.reduce((sum, mutant) => sum + (mutant.testsCompleted ?? 0), 0);
    rows.push(
      `| ${file} | ${mutants.length} | ${ignored} | ${killed} | ${survived} | ${timeout} | ${noCoverage} | ${score} | ${strict} | ${testsRun} |`,
    );
  }
}
console.log(
  '| File | Mutants | Ignored (static) | Killed | Survived | Timeout | No coverage | Score | Killed only | Tests run |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(rows.sort().join('\n'));
