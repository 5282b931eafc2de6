import { ID_PATTERN } from '../ids.ts';

/**
 * A decision id names its customer and instant, so a response finds the log item
 * (`C#<customerId>` / `H#<at>#<decisionId>`) with one GetItem and no pointer item:
 * `<customerId>~<ms since epoch, base 36, 9 chars><random suffix>`.
 */
export const DECISION_ID_PATTERN = /^([A-Za-z0-9._:-]{1,64})~([0-9a-z]{9})([0-9a-z]{6,16})$/;

export function newDecisionId(customerId: string, at: Date, random: string): string {
  const suffix = random
    .toLowerCase()
    .replace(/[^0-9a-z]/g, '')
    .slice(0, 12)
    .padEnd(6, '0');
  return `${customerId}~${at.getTime().toString(36).padStart(9, '0')}${suffix}`;
}

export function parseDecisionId(decisionId: string): { customerId: string; at: string } | undefined {
  const m = DECISION_ID_PATTERN.exec(decisionId);
  if (!m || !ID_PATTERN.test(m[1]!)) return undefined;
  const ms = parseInt(m[2]!, 36);
  if (!Number.isSafeInteger(ms)) return undefined;
  return { customerId: m[1]!, at: new Date(ms).toISOString() };
}

const dayFormats = new Map<string, { format: Intl.DateTimeFormat; ms: number; day: string }>();
/** The calendar day (YYYY-MM-DD) of `at` in the market's time zone: daily caps reset at local midnight. */
export function localDay(at: Date, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = {
      format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
      ms: NaN,
      day: '',
    };
    dayFormats.set(timeZone, f);
  }
  // the last answer per zone is kept for the same instant (decisions in a burst share a clock tick)
  const ms = at.getTime();
  if (ms !== f.ms) {
    f.day = f.format.format(at);
    f.ms = ms;
  }
  return f.day;
}
