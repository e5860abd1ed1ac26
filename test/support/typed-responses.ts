import type { operations } from '../../generated/openapi.js';
import type { ErrorBody, ErrorEnvelope } from '../../src/errors/api-error.js';
import type { OperationId } from '../../src/operations/operation.js';
import type { TestResponse } from './test-app.js';

/** The statuses openapi.yaml documents for an operation. */
export type DocumentedStatus<Op extends OperationId> = keyof operations[Op]['responses'] & number;

/** The JSON body the contract documents for one operation and status. */
export type BodyOf<Op extends OperationId, S extends DocumentedStatus<Op>> = operations[Op]['responses'][S] extends {
  content: { 'application/json': infer Body };
}
  ? Body
  : never;

/**
 * The answer's JSON body, typed as the contract documents it. It throws unless the request was
 * that operation and the answer that status, so a type never stands for a body it does not
 * describe (the test app's response validation has already checked the shape).
 */
export function bodyOf<Op extends OperationId, S extends DocumentedStatus<Op>>(
  response: TestResponse,
  operationId: Op,
  status: S,
): BodyOf<Op, S> {
  if (response.operationId !== operationId)
    throw new Error(`the request was ${response.operationId ?? 'no operation'}, not ${operationId}`);
  if (response.status !== status)
    throw new Error(`${operationId} answered ${response.status}, not ${status}: ${response.text.slice(0, 300)}`);
  return response.json as BodyOf<Op, S>;
}

/** The error of an envelope answer (any operation, or none: refusals before routing too). */
export function errorOf(response: TestResponse): ErrorBody {
  const error = (response.json as Partial<ErrorEnvelope> | undefined)?.error;
  if (typeof error !== 'object' || error === null)
    throw new Error(`no error envelope in the ${response.status} answer: ${response.text.slice(0, 300)}`);
  return error;
}
