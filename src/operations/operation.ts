import type { operations } from '../../generated/openapi.js';
import type { RequestContext } from './request-context.js';

/** Every operation of openapi.yaml, by its operationId: the handle from the contract to its handler. */
export type OperationId = keyof operations;

type Responses<Op extends OperationId> = operations[Op]['responses'];
/** Absent (never) when the contract documents no body. */
type Present<T> = [NonNullable<T>] extends [never] ? Record<string, never> : NonNullable<T>;
type ContentOf<R> = R extends { content: infer Content } ? NonNullable<Content> : never;

/** Headers a handler sets besides the body's (Location, a page's Content-Security-Policy). */
export type AnswerHeaders = Record<string, string>;

/**
 * One documented answer: a JSON body as the contract types it; a text body or a file under one of
 * the status's media types (pages, scripts, the contract itself); or no body at all (204).
 */
type AnswerFor<Status, Response> = [ContentOf<Response>] extends [never]
  ? { status: Status; headers?: AnswerHeaders }
  :
      | ('application/json' extends keyof ContentOf<Response>
          ? { status: Status; body: ContentOf<Response>['application/json']; headers?: AnswerHeaders }
          : never)
      | {
          [Type in keyof ContentOf<Response>]:
            | { status: Status; contentType: Type; body: string; headers?: AnswerHeaders }
            | { status: Status; contentType: Type; file: string; headers?: AnswerHeaders };
        }[keyof ContentOf<Response>];

/** What an operation may answer: a union over its documented statuses, each with its own body type. */
export type OperationResult<Op extends OperationId> = {
  [Status in keyof Responses<Op>]: AnswerFor<Status, Responses<Op>[Status]>;
}[keyof Responses<Op>];

/** The JSON body an operation accepts (never when it takes none). */
export type RequestBody<Op extends OperationId> =
  NonNullable<operations[Op]['requestBody']> extends { content: { 'application/json': infer Body } } ? Body : never;

/** What the validator has already checked against the contract: path parameters, query and body. */
export interface OperationInput<Op extends OperationId> {
  params: Present<operations[Op]['parameters']['path']>;
  query: Present<operations[Op]['parameters']['query']>;
  body: RequestBody<Op>;
}

export type OperationHandler<Op extends OperationId> = (
  input: OperationInput<Op>,
  context: RequestContext,
) => OperationResult<Op> | Promise<OperationResult<Op>>;

/** Every operationId, each with its handler: a missing or unknown one is a type error. */
export type OperationTable = { [Op in OperationId]: OperationHandler<Op> };

/** The handlers of one contract tag. */
export type Operations<Ops extends OperationId> = Pick<OperationTable, Ops>;
