/**
 * Typed domain errors. Each carries a stable `code`; the HTTP layer maps codes to statuses
 * and workflows match on the error name, so neither needs to parse messages.
 */
export type FieldError = { field: string; message: string };

export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly code = 'invalid-input';
}
export class NotFoundError extends DomainError {
  readonly code = 'not-found';
}
export class ConflictError extends DomainError {
  readonly code = 'conflict';
}
export class PreconditionFailedError extends DomainError {
  readonly code = 'precondition-failed';
}
export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload-too-large';
}
export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
}
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}
export class MethodNotAllowedError extends DomainError {
  readonly code = 'method-not-allowed';
  constructor(
    message: string,
    readonly allowed: string[],
  ) {
    super(message);
  }
}
/** A dependency (the database) is down or throttling: the client should retry later. */
export class UnavailableError extends DomainError {
  readonly code = 'unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}
