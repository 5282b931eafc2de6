import { ZodError } from 'zod';
import { DomainError, InFlightError, UnavailableError, type FieldError } from '#domain/errors.ts';
import { fieldErrorsOf } from '#edge/field-errors.ts';
import { MethodNotAllowedError } from './errors.ts';

/** RFC 9457 problem details, the only error body the API sends. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** The API Gateway request id the caller can quote (gateway and function problems alike). */
  requestId?: string;
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const STATUS: Record<string, [number, string]> = {
  'invalid-input': [400, 'Bad request'],
  unauthenticated: [401, 'Unauthenticated'],
  forbidden: [403, 'Forbidden'],
  'not-found': [404, 'Not found'],
  'method-not-allowed': [405, 'Method not allowed'],
  conflict: [409, 'Conflict'],
  'precondition-failed': [412, 'Precondition failed'],
  unprocessable: [422, 'Unprocessable content'],
  'payload-too-large': [413, 'Payload too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  throttled: [429, 'Too many requests'],
  'quota-exceeded': [429, 'Quota exceeded'],
  rejected: [400, 'Request rejected'],
  unavailable: [503, 'Service unavailable'],
  internal: [500, 'Internal error'],
};

export const problemType = (code: string) => `https://telco-cvm.dev/problems/${code}`;

export function problem(code: keyof typeof STATUS | string, detail: string, errors?: FieldError[]): Problem {
  const [status, title] = STATUS[code] ?? [500, 'Internal error'];
  return { type: problemType(code), title, status, detail, ...(errors?.length ? { errors } : {}) };
}

export function problemResult(p: Problem, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(p),
  };
}

/**
 * Maps anything thrown to a reply. Domain errors and validation errors expose their detail;
 * anything else is a generic 500 so no internals leak.
 */
export function resultForError(err: unknown, requestId?: string): { result: HttpResult; unexpected: boolean } {
  const { result, unexpected } = mappedError(err);
  if (!requestId) return { result, unexpected };
  return { result: { ...result, body: JSON.stringify({ ...JSON.parse(result.body), requestId }) }, unexpected };
}

function mappedError(err: unknown): { result: HttpResult; unexpected: boolean } {
  if (err instanceof ZodError) {
    return {
      result: problemResult(problem('invalid-input', 'the request is not valid', fieldErrorsOf(err))),
      unexpected: false,
    };
  }
  if (err instanceof DomainError) {
    const headers: Record<string, string> = {};
    if (err instanceof MethodNotAllowedError) headers['allow'] = err.allowed.join(', ');
    if (err instanceof UnavailableError || err instanceof InFlightError)
      headers['retry-after'] = String(err.retryAfterSeconds);
    return { result: problemResult(problem(err.code, err.message, err.errors), headers), unexpected: false };
  }
  return {
    result: problemResult(problem('internal', 'an unexpected error occurred; it has been logged')),
    unexpected: true,
  };
}
