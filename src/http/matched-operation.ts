import type { IncomingMessage } from 'node:http';

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
