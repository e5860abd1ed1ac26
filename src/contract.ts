import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { parse } from 'yaml';

/** openapi.yaml, as text for /openapi.yaml and as a document for the validator and /openapi.json. */
export interface Contract {
  yaml: string;
  document: Record<string, unknown>;
}

export function loadContract(file: string): Contract {
  const yaml = readFileSync(file, 'utf8');
  return { yaml, document: parse(yaml) as Record<string, unknown> };
}

/** The parts of a contract operation that middleware reads. */
export interface MatchedOperation {
  /** The path template, e.g. `/users/{id}`. */
  openApiRoute?: string;
  schema?: {
    operationId?: string;
    security?: Array<Record<string, string[]>>;
    requestBody?: { required?: boolean };
    'x-rate-limited'?: boolean;
  };
}

/** The operation express-openapi-validator matched the request to, once it has run. */
export function matchedOperation(req: IncomingMessage): MatchedOperation | undefined {
  return (req as IncomingMessage & { openapi?: MatchedOperation }).openapi;
}
