import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody, jsonInputProblem } from './json-input.ts';

describe('decodeBody', () => {
  it('decodes UTF-8 and refuses invalid bytes and encoded surrogates', () => {
    expect(decodeBody(Buffer.from('{"a":"ñ😀"}'))).toBe('{"a":"ñ😀"}');
    expect(decodeBody(Buffer.from([0x61, 0x62, 0xff, 0xfe, 0x63, 0x64]))).toBeUndefined();
    expect(decodeBody(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))).toBeUndefined(); // U+D800 as CESU-8
    expect(decodeBody(Buffer.from([0xc0, 0xaf]))).toBeUndefined(); // overlong '/'
    // a byte order mark stays in the text (the pipeline refuses it by name)
    expect(decodeBody(Buffer.from('\uFEFF{}'))).toBe('\uFEFF{}');
    expect(decodeBody('"\uD800"')).toBeUndefined();
    expect(decodeBody('"😀"')).toBe('"😀"');
  });

  it('gives back any well-formed text it was given as bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(decodeBody(Buffer.from(s, 'utf8'))).toBe(s);
      }),
    );
  });
});

describe('jsonInputProblem', () => {
  it('names a prototype key wherever it is', () => {
    expect(jsonInputProblem(JSON.parse('{"attributes":{"__proto__":{"x":1}}}'))).toEqual({
      field: 'attributes.__proto__',
      message: "'__proto__' is not allowed as a key",
    });
    expect(jsonInputProblem(JSON.parse('{"events":[{"data":{"constructor":1}}]}'))?.field).toBe(
      'events.0.data.constructor',
    );
    expect(jsonInputProblem({ prototype: true })?.field).toBe('prototype');
  });

  it('names a string or key holding a lone surrogate, and takes well-formed pairs', () => {
    expect(jsonInputProblem(JSON.parse('{"a":{"b":"x\\ud800y"}}'))).toEqual({
      field: 'a.b',
      message: 'holds a lone surrogate (not UTF-8)',
    });
    expect(jsonInputProblem(JSON.parse('["\\udc00"]'))?.field).toBe('0');
    expect(jsonInputProblem(JSON.parse('{"a":{"\\ud800":1}}'))?.field).toBe('a.(key)');
    expect(jsonInputProblem(JSON.parse('{"a":"\\ud83d\\ude00","constructors":1,"proto":2}'))).toBeUndefined();
  });

  it('finds nothing in JSON without those keys or lone surrogates, and something in any with one', () => {
    const clean = fc
      .jsonValue({ maxDepth: 4 })
      .filter((v) => !/__proto__|"constructor"|"prototype"|\p{Cs}/u.test(JSON.stringify(v)));
    fc.assert(
      fc.property(clean, (v) => {
        expect(jsonInputProblem(v)).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(clean, fc.constantFrom('__proto__', 'constructor', 'prototype'), (v, key) => {
        const body = JSON.parse(`{"wrap":{"${key}":${JSON.stringify(v) ?? 'null'}}}`);
        expect(jsonInputProblem(body)?.field).toBe(`wrap.${key}`);
      }),
    );
  });

  it('walks a deeply nested body without overflowing the stack', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(50_000)}"\\ud800"${'}'.repeat(50_000)}`);
    expect(jsonInputProblem(deep)?.message).toMatch(/lone surrogate/);
  });
});
