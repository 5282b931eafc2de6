import type { DatasetSchema, ProfileWithId, RowMapping } from './dataset-schema.ts';
import type { UsagePeriod } from './usage-state.ts';

/**
 * UCI #563 "Iranian Churn Dataset": usage aggregated over 9 months, churn at month 12.
 * Some header names contain two spaces (`Call  Failure`); they are kept exactly.
 * Rows carry no id: a row is `ir-<rowNumber>` (1-based over data rows).
 */
export const IRANIAN_COLUMNS = [
  'Call  Failure',
  'Complains',
  'Subscription  Length',
  'Charge  Amount',
  'Seconds of Use',
  'Frequency of use',
  'Frequency of SMS',
  'Distinct Called Numbers',
  'Age Group',
  'Tariff Plan',
  'Status',
  'Age',
  'Customer Value',
  'Churn',
] as const;

/**
 * Columns the customer's events also count -> the usage period the importer turns into state
 * (usage-state.ts): dropped calls, voice seconds and calls; `Complains` (0/1) is the complaints.
 */
const BEHAVIOUR: ReadonlyArray<readonly [column: string, field: 'droppedCalls' | 'voiceSeconds' | 'voiceCalls']> = [
  ['Call  Failure', 'droppedCalls'],
  ['Seconds of Use', 'voiceSeconds'],
  ['Frequency of use', 'voiceCalls'],
];

/**
 * Numeric columns -> attribute names on the profile. SMS and distinct numbers called stay profile
 * attributes: no event carries them (no SMS usage event; a voice event names no number).
 */
const USAGE: ReadonlyArray<readonly [column: string, attribute: string, integer: boolean]> = [
  ['Charge  Amount', 'chargeAmount', true], // ordinal 0 (lowest) .. 9 (highest), not money
  ['Frequency of SMS', 'smsCount', true],
  ['Distinct Called Numbers', 'distinctCalledNumbers', true],
  ['Age Group', 'ageGroup', true], // 1 (youngest) .. 5
  ['Age', 'age', true],
  ['Customer Value', 'customerValue', false],
];

function amount(raw: string | undefined, integer: boolean): number | undefined {
  const s = (raw ?? '').trim();
  if (s === '') return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) return undefined;
  return n;
}

export const iranian: DatasetSchema = {
  name: 'iranian',
  columns: IRANIAN_COLUMNS,
  rowId: (_row, rowNumber) => String(rowNumber),
  toProfile(row, rowNumber): RowMapping {
    const reasons: string[] = [];
    const attributes: Record<string, number | boolean | string> = {};
    const usage: UsagePeriod = { droppedCalls: 0, complaints: 0, voiceSeconds: 0, voiceCalls: 0 };
    for (const [column, field] of BEHAVIOUR) {
      const n = amount(row[column], true);
      if (n === undefined) reasons.push(`${column}: expected a whole non-negative number`);
      else usage[field] = n;
    }
    for (const [column, attribute, integer] of USAGE) {
      const n = amount(row[column], integer);
      if (n === undefined) reasons.push(`${column}: expected a ${integer ? 'whole ' : ''}non-negative number`);
      else attributes[attribute] = n;
    }
    const tenure = amount(row['Subscription  Length'], true);
    if (tenure === undefined) reasons.push('Subscription  Length: expected a whole number of months');
    const complains = row['Complains'];
    if (complains !== '0' && complains !== '1') reasons.push('Complains: expected 0 or 1');
    const plan = row['Tariff Plan'];
    if (plan !== '1' && plan !== '2') reasons.push('Tariff Plan: expected 1 (pay-as-you-go) or 2 (contractual)');
    const status = row['Status'];
    if (status !== '1' && status !== '2') reasons.push('Status: expected 1 (active) or 2 (non-active)');
    if (reasons.length) return { ok: false, reasons };

    usage.complaints = complains === '1' ? 1 : 0;
    attributes['active'] = status === '1';
    const payg = plan === '1';
    const profile: ProfileWithId = {
      customerId: `ir-${rowNumber}`,
      tariff: payg ? 'pay-as-you-go' : 'contractual',
      // Pay-as-you-go is prepaid; "contractual" (postpaid) names no term: month-to-month.
      contract: payg ? 'prepaid' : 'month-to-month',
      tenureMonths: tenure!,
      attributes,
    };
    const churn = row['Churn'];
    return churn === '0' || churn === '1'
      ? { ok: true, profile, usage, label: { churned: churn === '1' } }
      : { ok: true, profile, usage };
  },
};
