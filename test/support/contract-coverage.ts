import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractOperations } from './spec-model.js';

/** Set by the global setup; each test process appends what it saw to its own file there. */
export const COVERAGE_DIR_VARIABLE = 'GATEHOUSE_CONTRACT_COVERAGE_DIR';

export function recordObservation(operationId: string, status: number): void {
  const dir = process.env[COVERAGE_DIR_VARIABLE];
  if (dir === undefined) return;
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify([operationId, status])}\n`);
}

/** Every documented (operation, status) that no test answer showed, as `operationId status`. */
export function unexercised(dir: string): string[] {
  const seen = new Set<string>();
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      const [operationId, status] = JSON.parse(line) as [string, number];
      seen.add(`${operationId} ${status}`);
    }
  }
  const missing: string[] = [];
  for (const { operationId, documented } of contractOperations) {
    for (const status of documented)
      if (!seen.has(`${operationId} ${status}`)) missing.push(`${operationId} ${status}`);
  }
  return missing;
}
