import type { SendResult } from '#domain/delivery/retry.ts';

/**
 * Error names of the three sending APIs that mean "not now": throttling and quotas per second
 * (SMS ThrottlingException and ServiceQuotaExceededException, SES TooManyRequestsException and
 * LimitExceededException, SNS ThrottledException and KMSThrottlingException) and the services'
 * own failures.
 */
const TRANSIENT = new Set([
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
  'ServiceQuotaExceededException',
  'KMSThrottlingException',
  'InternalServerException',
  'InternalServiceErrorException',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'TimeoutError',
]);

interface SdkError {
  name?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  /** pinpoint-sms-voice-v2 says why (DESTINATION_PHONE_NUMBER_OPTED_OUT, ...). */
  Reason?: string;
}

/**
 * How an AWS SDK error of a send is taken, like a webhook's status: throttling, quotas, 5xx and
 * errors with no HTTP answer at all (a connection reset, a time-out) are retried with the backoff
 * and then go to the DLQ; every other 4xx (an invalid or opted-out number, a rejected message, a
 * disabled endpoint, a configuration the account lacks) failed for good. The reason names the
 * error and, where the API gives one, its reason code: bounded enums, fit for a metric dimension.
 */
export function resultOfSendError(err: unknown): SendResult {
  const e = (err ?? {}) as SdkError;
  const name = typeof e.name === 'string' && e.name ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode;
  if (TRANSIENT.has(name) || e.$fault === 'server' || status === 429 || (status !== undefined && status >= 500))
    return { outcome: 'retry', reason: name };
  if (!e.$metadata) return { outcome: 'retry', reason: 'connection' };
  return { outcome: 'failed', reason: typeof e.Reason === 'string' && e.Reason ? `${name}:${e.Reason}` : name };
}
