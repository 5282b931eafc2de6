import { ID_PATTERN } from '../ids.ts';

/**
 * A decision id: `<ms since epoch, base 36, 9 chars><random suffix, 6-16 chars>`, lowercase
 * letters and digits only, so it matches the API's id pattern. It names no customer (customer ids
 * are usually phone numbers, and decision ids travel through channels and logs): the decision
 * log is keyed by the id itself. The instant in front keeps ids in time order for people reading them.
 */
export const DECISION_ID_PATTERN = /^[0-9a-z]{9}[0-9a-z]{6,16}$/;

/**
 * Ids issued before the log left the customer partition: `<customerId>~<instant><suffix>`. They
 * still find their item (`C#<customerId>` / `H#<at>#<decisionId>`) until it expires, so a
 * response to such a decision is still recorded.
 */
export const LEGACY_DECISION_ID_PATTERN = /^((?!\.+~)[A-Za-z0-9._:-]{1,64})~([0-9a-z]{9})([0-9a-z]{6,16})$/;

export function newDecisionId(at: Date, random: string): string {
  const suffix = random
    .toLowerCase()
    .replace(/[^0-9a-z]/g, '')
    .slice(0, 12)
    .padEnd(6, '0');
  return `${at.getTime().toString(36).padStart(9, '0')}${suffix}`;
}

export const isDecisionId = (decisionId: string): boolean => DECISION_ID_PATTERN.test(decisionId);

/** The customer and instant a legacy id names; undefined for any other string (new ids included). */
export function parseLegacyDecisionId(decisionId: string): { customerId: string; at: string } | undefined {
  const m = LEGACY_DECISION_ID_PATTERN.exec(decisionId);
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
