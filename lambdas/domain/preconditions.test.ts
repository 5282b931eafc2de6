import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatEntityTag,
  ifMatchHolds,
  parseIfMatch,
  strongMatch,
  versionTag,
  type EntityTag,
} from './preconditions.ts';

const strong = (opaque: string): EntityTag => ({ weak: false, opaque });
const weak = (opaque: string): EntityTag => ({ weak: true, opaque });

const etagc = fc.constantFrom(
  ...'!#$%&()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~'.split(''),
  '\u0080',
  'é',
  '\u00FF',
);
const tagArb: fc.Arbitrary<EntityTag> = fc.record({
  weak: fc.boolean(),
  opaque: fc.array(etagc, { maxLength: 12 }).map((cs) => cs.join('')),
});
const ows = fc.constantFrom('', ' ', '  ', '\t');

describe('parseIfMatch', () => {
  it('reads *, one tag, a list, weak tags and empty list elements', () => {
    expect(parseIfMatch('*')).toEqual({ kind: 'any' });
    expect(parseIfMatch('  *  ')).toEqual({ kind: 'any' });
    expect(parseIfMatch('"3"')).toEqual({ kind: 'tags', tags: [strong('3')] });
    expect(parseIfMatch('"1", "2"')).toEqual({ kind: 'tags', tags: [strong('1'), strong('2')] });
    expect(parseIfMatch('W/"3"')).toEqual({ kind: 'tags', tags: [weak('3')] });
    expect(parseIfMatch('"stale-version"')).toEqual({ kind: 'tags', tags: [strong('stale-version')] });
    expect(parseIfMatch('""')).toEqual({ kind: 'tags', tags: [strong('')] });
    // a comma may sit inside an opaque tag; empty elements are skipped
    expect(parseIfMatch('"a,b" , ,"c",')).toEqual({ kind: 'tags', tags: [strong('a,b'), strong('c')] });
  });

  it('refuses what is not an entity-tag list', () => {
    for (const bad of [
      '',
      '  ',
      ',',
      '3',
      'version-1',
      '"3',
      '3"',
      'w/"3"',
      'W/3',
      '"1" "2"',
      '*, "1"',
      '"1", *',
      '**',
      '"a"b"',
      '"\u0000"',
      '"tab\there"',
      '"\u0100"',
      `"${'x'.repeat(5000)}"`,
    ])
      expect(parseIfMatch(bad), JSON.stringify(bad)).toBeUndefined();
  });

  it('reads back every list it is given, whatever the spacing and empty elements', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(tagArb, ows, ows, fc.boolean()), { minLength: 1, maxLength: 6 }), (items) => {
        const value = items.map(([t, a, b, empty]) => `${a}${formatEntityTag(t)}${b}${empty ? ', ' : ''}`).join(',');
        expect(parseIfMatch(value)).toEqual({ kind: 'tags', tags: items.map(([t]) => t) });
      }),
    );
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: fc.constantFrom(...'W/"*, 0a\t'.split('')) }),
        ),
        (s) => {
          const parsed = parseIfMatch(s);
          if (parsed?.kind === 'tags') expect(parsed.tags.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe('ifMatchHolds', () => {
  it('holds for * only when the resource exists', () => {
    expect(ifMatchHolds({ kind: 'any' }, versionTag(1))).toBe(true);
    expect(ifMatchHolds({ kind: 'any' }, undefined)).toBe(false);
  });

  it('holds when any listed tag matches the current one strongly, never on a missing resource', () => {
    const current = versionTag(2);
    expect(ifMatchHolds(parseIfMatch('"1", "2"')!, current)).toBe(true);
    expect(ifMatchHolds(parseIfMatch('"1", "3"')!, current)).toBe(false);
    expect(ifMatchHolds(parseIfMatch('"stale-version"')!, current)).toBe(false);
    expect(ifMatchHolds(parseIfMatch('"2"')!, undefined)).toBe(false);
  });

  it('never lets a weak tag match: If-Match compares strongly', () => {
    expect(ifMatchHolds(parseIfMatch('W/"3"')!, versionTag(3))).toBe(false);
    expect(ifMatchHolds(parseIfMatch('W/"3", "3"')!, versionTag(3))).toBe(true);
    fc.assert(
      fc.property(fc.array(tagArb, { minLength: 1, maxLength: 5 }), tagArb, (tags, current) => {
        const holds = ifMatchHolds({ kind: 'tags', tags }, current);
        expect(holds).toBe(!current.weak && tags.some((t) => !t.weak && t.opaque === current.opaque));
        expect(ifMatchHolds({ kind: 'tags', tags: tags.map((t) => ({ ...t, weak: true })) }, current)).toBe(false);
      }),
    );
  });

  it('compares strongly: same opaque part and neither weak', () => {
    expect(strongMatch(strong('1'), strong('1'))).toBe(true);
    expect(strongMatch(strong('1'), weak('1'))).toBe(false);
    expect(strongMatch(weak('1'), weak('1'))).toBe(false);
    expect(strongMatch(strong('1'), strong('01'))).toBe(false);
    expect(formatEntityTag(versionTag(7))).toBe('"7"');
    expect(formatEntityTag(weak('7'))).toBe('W/"7"');
  });
});
