/**
 * What a service refuses, said without HTTP: the routes and the CLI share the services, so
 * the error handler maps these to the envelope and the CLI prints their message as it is.
 */
export class DomainError extends Error {}

/** A value the caller gave breaks a rule; `field` names it as the request body does. */
export class InvalidInput extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidInput';
  }
}

/** The change would break a rule about what already exists (a taken name, the last admin, a cap). */
export class Conflict extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'Conflict';
  }
}

export class NotFound extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'NotFound';
  }
}
