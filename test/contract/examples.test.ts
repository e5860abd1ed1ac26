import { describe, expect, it } from 'vitest';
import { loadContract } from '../../src/contract.js';
import { specFile } from '../../src/paths.js';
import { specOperations } from './spec-walk.js';

interface Media {
  example?: unknown;
  examples?: unknown;
  schema?: { type?: unknown };
}
interface Response {
  $ref?: string;
  content?: Record<string, Media>;
}

const document = loadContract(specFile).document as {
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, Media> }; responses: Record<string, Response> }>
  >;
  components: { responses: Record<string, Response> };
};

function resolve(response: Response): Response {
  return response.$ref === undefined
    ? response
    : (document.components.responses[response.$ref.split('/').pop() ?? ''] ?? {});
}

/** The docs show an example of every request body and of every JSON answer, errors included. */
describe.each(specOperations().map((op) => [op.operationId, op] as const))('%s', (_id, op) => {
  const operation =
    document.paths[
      Object.keys(document.paths).find((p) => p.replace(/\{[^}]+\}/g, 'zzz_does_not_exist') === op.path) ?? ''
    ]?.[op.method.toLowerCase()];

  it('has an example of its JSON request body and of every JSON answer', () => {
    const missing: string[] = [];
    const body = operation?.requestBody?.content['application/json'];
    if (body !== undefined && body.example === undefined && body.examples === undefined) missing.push('request body');
    for (const [status, response] of Object.entries(operation?.responses ?? {})) {
      const json = resolve(response).content?.['application/json'];
      // The contract itself (GET /openapi.json) is its own example.
      if (json === undefined || op.operationId === 'getOpenApiJson') continue;
      if (json.example === undefined && json.examples === undefined) missing.push(status);
    }
    expect(missing).toEqual([]);
  });
});
