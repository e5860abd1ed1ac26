import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COVERAGE_DIR_VARIABLE, unexercised } from './contract-coverage.js';
import { dropRunSchemas, TEST_RUN_VARIABLE } from './databases.js';

/**
 * Contract coverage: every test app records (operationId, status) of each answer it gives. At the
 * end of a full run (`npm test` sets CONTRACT_COVERAGE=check) a documented status that no test
 * produced fails the run: the contract promises nothing the tests don't prove.
 */
export default function setup(): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-coverage-'));
  process.env[COVERAGE_DIR_VARIABLE] = dir;
  const run = randomBytes(4).toString('hex');
  process.env[TEST_RUN_VARIABLE] = run;
  return async () => {
    const database = process.env.TEST_DATABASE_URL;
    if (database !== undefined) await dropRunSchemas(database, run);
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
