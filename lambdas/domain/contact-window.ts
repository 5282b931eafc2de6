import type { Channel } from './customer.ts';

/** Quiet hours in the market's local time, e.g. 20:00-08:00 (may wrap midnight). */
export interface QuietHours {
  start: string;
  end: string;
}

export type ActionKind = 'offer' | 'retention' | 'service' | 'information';
/** Kinds that sell: they need an explicit opt-in on the channel. */
export const MARKETING_KINDS: ReadonlySet<ActionKind> = new Set(['offer', 'retention']);

/** DESIGN.md: marketing needs consent[channel] === true; service may use a channel unless it is false. */
export function consentAllows(
  kind: ActionKind,
  channel: Channel,
  consent: Partial<Record<Channel, boolean>> | undefined,
): boolean {
  const given = consent?.[channel];
  return MARKETING_KINDS.has(kind) ? given === true : given !== false;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Minutes since local midnight (with seconds as a fraction) at `at` in `timeZone`. */
export function localMinutes(at: Date, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return Number(parts['hour']) * 60 + Number(parts['minute']) + Number(parts['second']) / 60;
}

export function isQuietTime(at: Date, timeZone: string, quiet: QuietHours): boolean {
  const now = localMinutes(at, timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * When an outbound message may go: `at` itself outside quiet hours, else the end of the quiet
 * period in local time (re-checked once so a DST change in between cannot land it early).
 */
export function nextAllowedTime(at: Date, timeZone: string, quiet: QuietHours): Date {
  if (!isQuietTime(at, timeZone, quiet)) return at;
  const end = minutesOf(quiet.end);
  const wait = (end - localMinutes(at, timeZone) + 1440) % 1440;
  let next = new Date(at.getTime() + Math.round(wait * 60_000));
  const drift = ((end - localMinutes(next, timeZone) + 1440 + 720) % 1440) - 720;
  if (drift !== 0) next = new Date(next.getTime() + Math.round(drift * 60_000));
  return next;
}
