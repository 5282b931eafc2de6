import { describe, expect, it } from 'vitest';
import { refusedFrom } from './key-messages.ts';

describe('what the keys CLI says about a revoked or expired key', () => {
  it('says "from the next request" only when no cached answer can outlive the change', () => {
    expect(refusedFrom('flushed')).toBe('it is refused from the next request on');
    expect(refusedFrom('nothing-cached')).toBe('it is refused from the next request on');
  });

  it('says "within 60 s", and why, when the authorizer cache could not be flushed', () => {
    expect(refusedFrom({ failed: 'AccessDeniedException: apigateway:DELETE' })).toBe(
      'it is refused within 60 s (the authorizer cache was not flushed; the flush failed: AccessDeniedException: apigateway:DELETE)',
    );
    expect(refusedFrom('not-configured')).toMatch(/^it is refused within 60 s /);
  });
});
