import { readFileSync } from 'node:fs';
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
