import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { IRANIAN_COLUMNS, iranian } from './iranian.ts';

const FILE = resolve(import.meta.dirname, '../../../data/iranian-churn.train.csv');
const text = readFileSync(FILE, 'utf8');
const header = (parse(text, { to_line: 1 }) as string[][])[0]!;
const rows = parse(text, { columns: true }) as Record<string, string>[];
const first = rows[0]!;

describe('Iranian churn dataset mapping', () => {
  it('expects exactly the header of the shared file, double spaces included', () => {
    expect([...IRANIAN_COLUMNS]).toEqual(header);
    expect(header).toContain('Call  Failure');
    expect(header).toContain('Subscription  Length');
    expect(header).toContain('Charge  Amount');
  });

  it('maps every row of the shared file, with the churn label', () => {
    const mapped = rows.map((r, i) => iranian.toProfile(r, i + 1));
    expect(mapped.every((m) => m.ok)).toBe(true);
    const churned = mapped.filter((m) => m.ok && m.label?.churned).length;
    expect(churned / rows.length).toBeCloseTo(0.157, 2);
  });

  it('names a row ir-<row number> and uses the 1-based row number as its output id', () => {
    const m = iranian.toProfile(first, 1);
    expect(m.ok && m.profile.customerId).toBe('ir-1');
    expect(iranian.rowId(rows[41]!, 42)).toBe('42');
  });

  it('reads the behavioural columns as a usage period, the rest into the profile', () => {
    const m = iranian.toProfile(first, 1);
    if (!m.ok) throw new Error(m.reasons.join());
    expect(m.profile.tenureMonths).toBe(Number(first['Subscription  Length']));
    expect(m.usage).toEqual({
      droppedCalls: Number(first['Call  Failure']),
      complaints: Number(first['Complains']),
      voiceSeconds: Number(first['Seconds of Use']),
      voiceCalls: Number(first['Frequency of use']),
    });
    expect(m.profile.attributes).toMatchObject({
      chargeAmount: Number(first['Charge  Amount']),
      smsCount: Number(first['Frequency of SMS']),
      distinctCalledNumbers: Number(first['Distinct Called Numbers']),
      customerValue: Number(first['Customer Value']),
      active: first['Status'] === '1',
    });
    // behaviour lives in the state only: one definition for training and serving
    for (const moved of ['callFailures', 'secondsOfUse', 'callCount', 'complained'])
      expect(m.profile.attributes).not.toHaveProperty(moved);
    expect(m.profile.contract).toBe(first['Tariff Plan'] === '1' ? 'prepaid' : 'month-to-month');
    expect(m.profile.tariff).toBe(first['Tariff Plan'] === '1' ? 'pay-as-you-go' : 'contractual');
  });

  it('refuses a row with a bad value and names the column', () => {
    const m = iranian.toProfile({ ...first, 'Call  Failure': 'x', 'Tariff Plan': '3' }, 5);
    expect(m.ok).toBe(false);
    if (!m.ok) {
      expect(m.reasons.join('\n')).toMatch(/Call {2}Failure/);
      expect(m.reasons.join('\n')).toMatch(/Tariff Plan/);
    }
  });

  it('refuses a row that uses single-spaced column names', () => {
    const { ['Call  Failure']: value, ...rest } = first;
    const m = iranian.toProfile({ ...rest, 'Call Failure': value! }, 1);
    expect(m.ok).toBe(false);
  });

  it('maps a row without a Churn value to an unlabelled profile', () => {
    const m = iranian.toProfile({ ...first, Churn: '' }, 1);
    expect(m.ok && m.label).toBeUndefined();
  });
});
