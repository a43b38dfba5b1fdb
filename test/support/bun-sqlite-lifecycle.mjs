// Usage (after `npm run build`): bun test/support/bun-sqlite-lifecycle.mjs
// Runs the SQLite store's lifecycle on bun:sqlite with the built package (dist), printing each answer.
import { Database } from 'bun:sqlite';
import { SqliteMfaStore, bunSqliteDriver } from '../../dist/stores/sqlite/index.js';

const db = new Database(':memory:');
const store = new SqliteMfaStore({ driver: bunSqliteDriver(db) });
await store.migrate();
const now = Date.UTC(2025, 0, 2);
const budget = (bucket, max) => ({ now, windowMs: 900000, limits: [{ bucket, max }] });
const out = [];
await store.savePending({
  userId: 'u',
  pending: {
    secretId: 's',
    sealedSecret: 'x',
    lastStep: null,
    createdAt: now,
    expiresAt: now + 600000,
    confirmed: false,
  },
});
out.push(
  (await store.attemptAndClaim({ userId: 'u', target: 'pending', secretId: 's', step: 10, budget: budget('setup', 5) }))
    .outcome,
);
out.push(await store.activatePending({ userId: 'u', secretId: 's', recoveryCodeHashes: ['h1', 'h2'], now }));
for (let i = 0; i < 6; i++)
  out.push(
    (
      await store.attemptAndClaim({
        userId: 'u',
        target: 'factor',
        secretId: 's',
        step: null,
        budget: budget('code', 5),
      })
    ).outcome,
  );
out.push(
  (
    await store.attemptAndClaim({
      userId: 'u',
      target: 'factor',
      secretId: 's',
      step: 11,
      budget: budget('code:c:other', 5),
    })
  ).outcome,
);
out.push(
  (
    await store.attemptAndClaim({
      userId: 'u',
      target: 'factor',
      secretId: 's',
      step: 11,
      budget: budget('code:c:other', 5),
    })
  ).outcome,
);
out.push(
  JSON.stringify(await store.useRecoveryCode({ userId: 'u', candidateHashes: ['h2'], budget: budget('recovery', 5) })),
);
out.push(JSON.stringify(await store.load({ userId: 'u' })));
out.push(await store.deleteFactor({ userId: 'u', secretId: 's' }));
process.stdout.write(`bun ${process.versions.bun}: ${out.join(' | ')}\n`);
