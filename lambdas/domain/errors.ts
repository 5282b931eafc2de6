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
    /** `cause`: the fault behind this one (an SDK error), kept for the log's cause chain. */
    options?: ErrorOptions,
  ) {
    super(message, options);
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
/** A request whose Idempotency-Key is still being answered: retry after `retryAfterSeconds`. */
export class InFlightError extends ConflictError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}
/** A request that is well formed but cannot be taken as it stands (an Idempotency-Key reused with another body). */
export class UnprocessableError extends DomainError {
  readonly code = 'unprocessable';
}
export class PreconditionFailedError extends DomainError {
  readonly code = 'precondition-failed';
}
/** A dependency (the database) is down or throttling: the client should retry later. */
export class UnavailableError extends DomainError {
  readonly code = 'unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    options?: ErrorOptions,
  ) {
    super(message, [], options);
  }
}
