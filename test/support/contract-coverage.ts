import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Set by the global setup; each test process appends what it saw to its own file there. */
export const COVERAGE_DIR_VARIABLE = 'GATEHOUSE_CONTRACT_COVERAGE_DIR';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

export function recordObservation(operationId: string, status: number): void {
  const dir = process.env[COVERAGE_DIR_VARIABLE];
  if (dir === undefined) return;
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify([operationId, status])}\n`);
}

/** operationId → the statuses its responses document. */
export function documentedStatuses(specFile: string): Map<string, Set<string>> {
  const spec = parse(readFileSync(specFile, 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
  };
  const documented = new Map<string, Set<string>>();
  for (const item of Object.values(spec.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation?.operationId === undefined) continue;
      documented.set(operation.operationId, new Set(Object.keys(operation.responses ?? {})));
    }
  }
  return documented;
}

interface Route {
  method: string;
  pattern: RegExp;
  operationId: string;
}

/**
 * Finds the operation a request was meant for from its method and path alone, so answers given
 * before the validator ran (unparseable or oversized bodies, refused query strings) count too.
 */
export function operationMatcher(specFile: string): (method: string, url: string) => string | undefined {
  const spec = parse(readFileSync(specFile, 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  const routes: Route[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    const pattern = new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    for (const method of METHODS) {
      const operationId = item[method]?.operationId;
      if (operationId !== undefined) routes.push({ method: method.toUpperCase(), pattern, operationId });
    }
  }
  return (method, url) => {
    const path = url.split('?')[0] ?? '';
    return routes.find((route) => route.method === method && route.pattern.test(path))?.operationId;
  };
}

/** Every documented (operation, status) that no test answer showed, as `operationId status`. */
export function unexercised(specFile: string, dir: string): string[] {
  const seen = new Set<string>();
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      const [operationId, status] = JSON.parse(line) as [string, number];
      seen.add(`${operationId} ${status}`);
    }
  }
  const missing: string[] = [];
  for (const [operationId, statuses] of documentedStatuses(specFile)) {
    for (const status of statuses) if (!seen.has(`${operationId} ${status}`)) missing.push(`${operationId} ${status}`);
  }
  return missing;
}
