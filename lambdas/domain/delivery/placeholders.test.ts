import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_PATHS, parseTemplate, renderTemplate, widestRendering } from './placeholders.ts';
import { treatmentProblems } from './message-content.ts';

const sources = {
  profile: { customerId: 'c-1', tariff: 'Max 20', attributes: { firstName: 'Thandi' } },
  state: { dataUsedPct: 87.5, topups30d: { count: 2, amount: 40 }, status: 'active' },
  action: { actionId: 'data-bundle', name: '1 GB bundle', value: 49 },
};

describe('placeholders', () => {
  it('fill profile, state and action paths, declared widths included', () => {
    expect(
      renderTemplate(
        'Hi {{profile.attributes.firstName}}, {{state.dataUsedPct:3}}% used. {{action.name}} for R{{action.value}}',
        sources,
      ),
    ).toEqual({ text: 'Hi Thandi, 87.5% used. 1 GB bundle for R49' });
    expect(renderTemplate('{{state.topups30d.count}} top-ups on {{profile.tariff}}', sources)).toEqual({
      text: '2 top-ups on Max 20',
    });
  });

  it('leave a text without placeholders as it is', () => {
    expect(renderTemplate('Plain {text} with single braces', sources)).toEqual({
      text: 'Plain {text} with single braces',
    });
  });

  it('name every placeholder whose value is missing, null or not a scalar', () => {
    expect(
      renderTemplate('{{profile.segment}} {{state.lastNps.score}} {{state.topups30d}} {{action.value}}', {
        ...sources,
        profile: { segment: null },
      }),
    ).toEqual({ missing: ['{{profile.segment}}', '{{state.lastNps.score}}', '{{state.topups30d}}'] });
    expect(renderTemplate('{{state.dataUsedPct}}', { state: { dataUsedPct: Number.NaN } })).toEqual({
      missing: ['{{state.dataUsedPct}}'],
    });
  });

  it('never read an inherited property as a value', () => {
    expect(renderTemplate('{{profile.attributes.constructor}}', { profile: { attributes: {} } })).toEqual({
      missing: ['{{profile.attributes.constructor}}'],
    });
  });

  it('refuse unknown roots and paths, bad widths and stray braces, naming each', () => {
    const { problems } = parseTemplate(
      '{{scores.churn}} {{state.dataUsed}} {{profile.consent.sms}} {{state.dataUsedPct:0}} {{state.status:abc}} {{ x }} }}',
    );
    expect(problems).toHaveLength(7);
    expect(problems[0]).toContain('{{scores.churn}}: unknown placeholder root scores');
    expect(problems[1]).toContain('{{state.dataUsed}}: unknown state path dataUsed');
    expect(problems[2]).toContain('{{profile.consent.sms}}');
    expect(problems[3]).toContain('width must be 1 to 160');
    expect(problems[4]).toContain('{{state.status:abc}} is not a placeholder');
    expect(problems[5]).toContain('{{ x }} is not a placeholder');
    expect(problems[6]).toContain('a {{ or }}');
  });

  it('accept every known path, any profile attribute name', () => {
    for (const [root, paths] of Object.entries(KNOWN_PATHS))
      for (const path of paths)
        expect(parseTemplate(`{{${root}.${path.replace('*', 'planName')}}}`).problems).toEqual([]);
  });

  it('render each placeholder at its declared width for the save-time check (default 10)', () => {
    expect(widestRendering('A {{state.dataUsedPct:3}} B {{profile.tariff}}')).toBe(`A XXX B ${'X'.repeat(10)}`);
  });

  it('render any value in place of a placeholder, and never leave a placeholder behind (property)', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), value, fc.string({ maxLength: 30 }), (before, v, after) => {
        fc.pre(!`${before}${after}`.includes('{{') && !`${before}${after}`.includes('}}'));
        fc.pre(!before.endsWith('{') && !after.startsWith('}'));
        const rendered = renderTemplate(`${before}{{state.status}}${after}`, { state: { status: v } });
        expect(rendered).toEqual({ text: `${before}${String(v)}${after}` });
      }),
    );
  });

  it('accept at save whatever renders at hand-off when every value is present (property)', () => {
    const known = fc.constantFrom(...KNOWN_PATHS.state.map((p) => `{{state.${p}}}`));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(known, fc.constantFrom('Hi ', 'you used ', '% ', '.')), { maxLength: 8 }),
        (parts) => {
          const text = parts.join('');
          expect(parseTemplate(text).problems).toEqual([]);
          const state = Object.fromEntries(KNOWN_PATHS.state.map((p) => [p.split('.')[0], 1]));
          const nested = { ...state, topups30d: { count: 1, amount: 2 }, spend30d: { value: 3 } };
          const rendered = renderTemplate(text, {
            state: {
              ...nested,
              data: { usedMb: 1, bundleMb: 2, usedPct: 50 },
              lastNps: { score: 9 },
              churn: { reason: 'price' },
              acquisition: { channel: 'retail', tariff: 't', promotion: 'p', dealer: 'd' },
            },
          });
          expect('text' in rendered && !rendered.text.includes('{{')).toBe(true);
        },
      ),
    );
  });
});

describe('treatment checks at save', () => {
  it('name the field and the placeholder of an unknown path', () => {
    expect(treatmentProblems({ sms: { text: { en: 'ok', af: 'Jy het {{state.dataUsed}}% gebruik' } } })).toEqual([
      { field: 'treatments.sms.text.af', message: expect.stringContaining('{{state.dataUsed}}') },
    ]);
  });

  it('refuse an SMS text over the market maximum at its widest, naming the language', () => {
    const text = `${'a'.repeat(150)} {{profile.attributes.firstName}}`; // 161 at width 10
    expect(treatmentProblems({ sms: { text: { en: text } } }, { maxSmsSegments: 1 })).toEqual([
      { field: 'treatments.sms.text.en', message: expect.stringMatching(/the en SMS text takes 2 segments.*allows 1/) },
    ]);
    expect(treatmentProblems({ sms: { text: { en: text } } }, { maxSmsSegments: 2 })).toEqual([]);
    // a declared width narrower than the default makes it fit
    expect(
      treatmentProblems(
        { sms: { text: { en: `${'a'.repeat(150)} {{profile.attributes.firstName:9}}` } } },
        { maxSmsSegments: 1 },
      ),
    ).toEqual([]);
  });

  it('measure segments on SMS texts only', () => {
    expect(treatmentProblems({ email: { text: { en: 'ж'.repeat(1000) } } }, { maxSmsSegments: 1 })).toEqual([]);
  });

  it("hold each variant's text to the same checks, naming the variant's field", () => {
    const long = `${'a'.repeat(150)} {{profile.attributes.firstName}}`;
    const sms = {
      text: { en: 'short' },
      variants: [
        { variantId: 'A', weight: 1 },
        { variantId: 'B', weight: 1, text: { en: long, af: 'Jy het {{state.dataUsed}}% gebruik' } },
      ],
    };
    expect(treatmentProblems({ sms }, { maxSmsSegments: 1 })).toEqual([
      {
        field: 'treatments.sms.variants.1.text.en',
        message: expect.stringMatching(/the en SMS text takes 2 segments.*allows 1/),
      },
      { field: 'treatments.sms.variants.1.text.af', message: expect.stringContaining('{{state.dataUsed}}') },
    ]);
    expect(treatmentProblems({ sms }, { maxSmsSegments: 2 })).toHaveLength(1);
  });

  it('refuse a variant list with an id twice or a weight not above 0', () => {
    const variants = [
      { variantId: 'A', weight: 0 },
      { variantId: 'A', weight: 1 },
    ];
    expect(treatmentProblems({ push: { text: { en: 'hi' }, variants } }).map((e) => e.field)).toEqual([
      'treatments.push.variants.0.weight',
      'treatments.push.variants.1.variantId',
    ]);
  });
});
