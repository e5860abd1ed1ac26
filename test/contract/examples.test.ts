import { describe, expect, it } from 'vitest';
import { contractOperations } from '../support/spec-model.js';

/** The docs show an example of every request body and of every JSON answer, errors included. */
describe.each(contractOperations.map((op) => [op.operationId, op] as const))('%s', (_id, op) => {
  it('has an example of its JSON request body and of every JSON answer', () => {
    const missing: string[] = [];
    const body = op.requestContent?.['application/json'];
    if (body !== undefined && body.example === undefined && body.examples === undefined) missing.push('request body');
    for (const [status, response] of Object.entries(op.responses)) {
      const json = response.content?.['application/json'];
      // The contract itself (GET /openapi.json) is its own example.
      if (json === undefined || op.operationId === 'getOpenApiJson') continue;
      if (json.example === undefined && json.examples === undefined) missing.push(status);
    }
    expect(missing).toEqual([]);
  });
});
