import { IncomingMessage, ServerResponse } from 'node:http';

/** What Express gives every request and response of an app as their prototype (`app.request`, `app.response`). */
export interface ExpressPrototypes {
  request: object;
  response: object;
}

export interface MessageClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

type Initialise = (this: unknown, ...args: unknown[]) => void;

/** Node's message constructors are plain functions, callable on an object made elsewhere; a class would not be. */
const callable = (initialise: object): boolean => !Function.prototype.toString.call(initialise).startsWith('class');

/**
 * Node's request and response classes, making objects whose prototypes are already the app's,
 * or Node's own classes where its constructors cannot be called that way.
 *
 * Express swaps the prototype of every request and response for its own (`Object.setPrototypeOf`
 * in `app.handle`). V8 then gives each object a map outside the shared transition tree, so each
 * property added to it afterwards builds a new map: 1–4 µs each, measured apart, and Express, the
 * router, the validator and Gatehouse add a dozen or more per request. Made with the right
 * prototype from the start, the swap changes nothing and every addition takes the shared, cached
 * path. Node's own constructors initialise each object; only its prototype is set first, to the
 * one Express would have set.
 */
export function messageClassesFor(prototypes: ExpressPrototypes): MessageClasses {
  if (!callable(IncomingMessage) || !callable(ServerResponse)) return { IncomingMessage, ServerResponse };
  const initialiseRequest = IncomingMessage as unknown as Initialise;
  const initialiseResponse = ServerResponse as unknown as Initialise;
  function Request(this: unknown, ...args: unknown[]): void {
    initialiseRequest.apply(this, args);
  }
  Request.prototype = prototypes.request;
  function Response(this: unknown, ...args: unknown[]): void {
    initialiseResponse.apply(this, args);
  }
  Response.prototype = prototypes.response;
  return {
    IncomingMessage: Request as unknown as typeof IncomingMessage,
    ServerResponse: Response as unknown as typeof ServerResponse,
  };
}
