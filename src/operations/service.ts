import { existsSync } from 'node:fs';
import type { Contract } from '../contract.js';
import { unavailable } from '../errors/api-error.js';
import type { ReadinessReport } from '../runtime/readiness.js';
import type { Operations } from './operation.js';

export interface ServiceOperationDeps {
  readiness: () => Promise<ReadinessReport>;
  contract: Contract;
  docsFile: string;
}

/** Redoc's page runs inline scripts and styles and a worker from a blob; nothing leaves the service. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Health, readiness and the contract itself, human- and machine-readable. */
export function serviceOperations({
  readiness,
  contract,
  docsFile,
}: ServiceOperationDeps): Operations<'getHealth' | 'getReadiness' | 'getOpenApiYaml' | 'getOpenApiJson' | 'getDocs'> {
  // Serialized once: the document does not change while the app runs.
  const documentJson = JSON.stringify(contract.document);
  const docsHeaders = { 'Content-Security-Policy': DOCS_CSP };
  return {
    getHealth: () => ({ status: 200, body: { status: 'ok' } }),
    getReadiness: async () => {
      const report = await readiness();
      if (!report.ready) throw unavailable(`Not ready: ${report.reason}`, report.cause);
      return { status: 200, body: { status: report.status, checks: report.checks } };
    },
    getOpenApiYaml: () => ({ status: 200, contentType: 'application/yaml', body: contract.yaml }),
    getOpenApiJson: () => ({ status: 200, contentType: 'application/json', body: documentJson }),
    getDocs: () => {
      if (!existsSync(docsFile)) throw unavailable('The documentation has not been built: run npm run docs');
      return { status: 200, contentType: 'text/html', file: docsFile, headers: docsHeaders };
    },
  };
}
