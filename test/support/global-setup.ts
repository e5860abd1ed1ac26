import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COVERAGE_DIR_VARIABLE, unexercised } from './contract-coverage.js';
import { createRunDatabase, TEST_RUN_VARIABLE } from './databases.js';

/**
 * Contract coverage: every test app records (operationId, status) of each answer it gives. At the
 * end of a full run (`npm test` sets CONTRACT_COVERAGE=check) a documented status that no test
 * produced fails the run: the contract promises nothing the tests don't prove.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-coverage-'));
  process.env[COVERAGE_DIR_VARIABLE] = dir;
  const run = randomBytes(4).toString('hex');
  process.env[TEST_RUN_VARIABLE] = run;
  // The PostgreSQL suites of this run work in a database of its own (see createRunDatabase).
  const base = process.env.TEST_DATABASE_URL;
  const runDatabase = base === undefined ? undefined : await createRunDatabase(base, run);
  if (runDatabase !== undefined) process.env.TEST_DATABASE_URL = runDatabase.url;
  return async () => {
    await runDatabase?.drop();
    const missing = unexercised(dir);
    rmSync(dir, { recursive: true, force: true });
    const enforced = process.env.CONTRACT_COVERAGE === 'check';
    if (missing.length === 0) {
      if (enforced) console.log('contract coverage: every documented status of every operation was exercised');
      return;
    }
    const report = `contract coverage: ${missing.length} documented statuses were never answered in tests:\n  ${missing.join('\n  ')}`;
    if (enforced) {
      console.error(report);
      process.exitCode = 1;
    } else if (process.env.CONTRACT_COVERAGE === 'report') console.log(report);
  };
}
