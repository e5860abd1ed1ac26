import type { Response, Router } from 'express';
import type { Contract } from '../contract.js';
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

/** `/users/{id}` → `/users/:id`. */
export function expressPath(contractPath: string): string {
  return contractPath.replace(/\{([^}]+)\}/g, ':$1');
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
  res.json(answer.body);
}

/**
 * Mounts each operation of the contract at its own method and path, with the handler the table
 * has for its operationId. Which inputs an operation reads is decided here, once: a request pays
 * only for the parameters its operation documents.
 */
export function mountOperations(router: Router, table: OperationTable, contract: Contract): void {
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
      router[method](expressPath(path), async (req, res) => {
        const input = {
          params: hasParams ? req.params : NOTHING,
          query: hasQuery ? req.query : NOTHING,
          body: hasBody ? req.body : undefined,
        };
        send(res, await run(input, new RequestContext(req)));
      });
    }
  }
}
