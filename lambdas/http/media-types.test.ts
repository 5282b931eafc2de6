import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAcceptedMediaType } from './media-types.ts';

describe('isAcceptedMediaType', () => {
  it('takes JSON in UTF-8 whatever the case and spacing, and merge patches on PATCH only', () => {
    for (const ok of [
      'application/json',
      'Application/JSON',
      'application/json; charset=utf-8',
      'application/json;charset=UTF-8',
      'application/json ; charset="utf-8"',
      'application/json; charset=utf-8; profile=x',
      'application/json;',
    ])
      expect(isAcceptedMediaType(ok, 'PUT'), ok).toBe(true);
    expect(isAcceptedMediaType('application/merge-patch+json', 'PATCH')).toBe(true);
    expect(isAcceptedMediaType('application/merge-patch+json; charset=utf-8', 'PATCH')).toBe(true);
    expect(isAcceptedMediaType('application/json', 'PATCH')).toBe(true);
    expect(isAcceptedMediaType('application/merge-patch+json', 'PUT')).toBe(false);
    expect(isAcceptedMediaType('application/merge-patch+json', 'POST')).toBe(false);
  });

  it('refuses other types, other charsets, a malformed header and none', () => {
    for (const bad of [
      undefined,
      '',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset="utf-16"',
      'application/jsonx',
      'application/problem+json',
      'application/*',
      '*/*',
      'application/json charset=utf-8',
      'application/json; charset',
      'application / json',
    ])
      expect(isAcceptedMediaType(bad, 'POST'), String(bad)).toBe(false);
  });

  it('never throws, and takes only what names application/json', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.constantFrom('PUT', 'POST', 'PATCH'), (header, method) => {
        if (isAcceptedMediaType(header, method))
          expect(header.toLowerCase()).toMatch(/^\s*application\/(merge-patch\+)?json/);
      }),
    );
  });
});
