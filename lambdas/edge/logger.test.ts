import { describe, expect, it } from 'vitest';
import { API_CORRELATION_PATH, searchDotted } from './logger.ts';

describe('searchDotted, the correlation id lookup', () => {
  it("finds API Gateway's request id at the API correlation path", () => {
    const event = { requestContext: { requestId: 'api-req-1' }, headers: {} };
    expect(searchDotted(API_CORRELATION_PATH, event)).toBe('api-req-1');
  });

  it('answers undefined where the path leaves the object', () => {
    expect(searchDotted(API_CORRELATION_PATH, { requestContext: null })).toBeUndefined();
    expect(searchDotted(API_CORRELATION_PATH, { requestContext: 'r' })).toBeUndefined();
    expect(searchDotted(API_CORRELATION_PATH, undefined)).toBeUndefined();
  });
});
