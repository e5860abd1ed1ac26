import type { Request, Response, Router } from 'express';
import { type Contract, matchedOperation } from '../contract.js';
import { sendJson } from '../send-json.js';
import type { OperationHandler, OperationId, OperationTable } from './operation.js';
import { RequestContext } from './request-context.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface DocumentedOperation {
  operationId?: string;
  parameters?: Array<{ in?: string }>;
  requestBody?: unknown;
}

type Answer = {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  contentType?: string;
  file?: string;
};
type AnyHandler = (input: unknown, context: RequestContext) => Answer | Promise<Answer>;

const NOTHING = Object.freeze({});

/** An operation's parameters, with `$ref`s to components/parameters followed. */
function parameterLocations(operation: DocumentedOperation, document: Record<string, unknown>): string[] {
  const shared = (document.components as { parameters?: Record<string, { in?: string }> } | undefined)?.parameters;
  return (operation.parameters ?? []).map((parameter) => {
    const ref = (parameter as { $ref?: string }).$ref;
    return (ref === undefined ? parameter.in : shared?.[ref.split('/').pop() ?? '']?.in) ?? '';
  });
}

function send(res: Response, answer: Answer): void {
  if (answer.headers !== undefined) res.set(answer.headers);
  res.status(answer.status);
  // send() picks the type from the file's extension, as it always did for /docs.
  if (answer.file !== undefined) {
    res.sendFile(answer.file);
    return;
  }
  if (answer.contentType !== undefined) {
    res.type(answer.contentType).send(answer.body);
    return;
  }
  if (answer.body === undefined) {
    res.end();
    return;
  }
  sendJson(res, answer.body);
}

/**
 * Mounts the contract's operations as one layer that runs the handler the table has for the
 * operation the validator matched (`req.openapi`): the validator has already found the route,
 * its path parameters and any 404, 405 or 400, so walking Express's route table again — a
 * pattern test for every path listed before the request's — would only repeat it. Which inputs
 * an operation reads is decided here, once: a request pays only for the parameters its
 * operation documents. A request no operation matched goes on to the next layer.
 */
export function mountOperations(router: Router, table: OperationTable, contract: Contract): void {
  const byOperationId = new Map<string, (req: Request, res: Response) => Promise<void>>();
  const paths = contract.document.paths as Record<string, Partial<Record<string, DocumentedOperation>>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation?.operationId === undefined) continue;
      const handler = table[operation.operationId as OperationId] as OperationHandler<OperationId> | undefined;
      if (handler === undefined)
        throw new Error(`openapi.yaml names ${operation.operationId}; the table has no handler`);
      const run = handler as unknown as AnyHandler;
      const hasParams = path.includes('{');
      const hasQuery = parameterLocations(operation, contract.document).includes('query');
      const hasBody = operation.requestBody !== undefined;
      byOperationId.set(operation.operationId, async (req, res) => {
        const input = {
          // The validator's own (its checks ran on them); the router has reset req.params since.
          params: hasParams ? (matchedOperation(req)?.pathParams ?? NOTHING) : NOTHING,
          query: hasQuery ? req.query : NOTHING,
          body: hasBody ? req.body : undefined,
        };
        send(res, await run(input, new RequestContext(req)));
      });
    }
  }
  router.use((req, res, next) => {
    const operationId = matchedOperation(req)?.schema?.operationId;
    const run = operationId === undefined ? undefined : byOperationId.get(operationId);
    if (run === undefined) return next();
    return run(req, res);
  });
}
