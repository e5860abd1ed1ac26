import type { operations } from '../../generated/openapi.js';

export type OperationId = keyof operations;

/** The JSON body an operation answers with for a status, as generated from openapi.yaml. */
export type ResponseJson<
  Op extends OperationId,
  Status extends keyof operations[Op]['responses'],
> = operations[Op]['responses'][Status] extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON body an operation accepts, as generated from openapi.yaml. */
export type RequestJson<Op extends OperationId> =
  NonNullable<operations[Op]['requestBody']> extends { content: { 'application/json': infer Body } } ? Body : never;

/** The query parameters an operation accepts, as generated from openapi.yaml (after validation). */
export type QueryParams<Op extends OperationId> = NonNullable<operations[Op]['parameters']['query']>;
