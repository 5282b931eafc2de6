/**
 * Errors only the HTTP edge raises: they describe a request (its caller, method, size or media type),
 * not a domain rule. They carry a `code` like the domain's errors so the problem mapping stays one path.
 */
import { DomainError } from '#domain/errors.ts';

/** A call to a guarded route without a caller: the authorizer (or the local gateway) let none through. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
}
/** A caller whose key's scope does not reach the route. */
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}
export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload-too-large';
}
/** A request body in a media type the route does not take (or with none named). */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported-media-type';
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
