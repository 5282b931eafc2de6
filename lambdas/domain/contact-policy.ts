import type { Action, ContactRecord } from './action.ts';
import { consentAllows, isQuietTime, MARKETING_KINDS, nextAllowedTime, type ActionKind, type QuietHours } from './contact-window.ts';
import type { Channel } from './customer.ts';

/**
 * The one contact policy: decisions (inbound and outbound), triggers and campaigns all ask it,
 * over one ledger of ContactRecords (the customer's `H#` items). Pure: data in, verdict out.
 */
export interface ContactWindow {
  max: number;
  days: number;
}

export interface ContactPolicy {
  timeZone: string;
  quietHours: QuietHours;
  /** Channels that are always outbound; call-centre is outbound only when the request says so. */
  outboundChannels: Channel[];
  /** Marketing contacts (offers, retention) per customer per channel. */
  perChannel: Partial<Record<Channel, ContactWindow>>;
  /** Marketing contacts per customer over all channels. */
  overall?: ContactWindow;
  /** Marketing contacts per household over all channels (when the caller has the household's ledger). */
  household?: ContactWindow;
  /** An action declined by the customer is not offered again for this many days. */
  declineSuppressionDays: number;
  /** Mandatory actions skip frequency limits and suppression (never consent or quiet hours). */
  mandatoryExempt: boolean;
}

export type Direction = 'inbound' | 'outbound';

export interface ContactRequest {
  action: Pick<Action, 'actionId' | 'kind' | 'limits' | 'mandatory'>;
  channel: Channel;
  direction: Direction;
  consent: Partial<Record<Channel, boolean>> | undefined;
  now: Date;
}

export interface Reason {
  code: string;
  detail: string;
}
export type Verdict = { allowed: true; sendAfter?: string } | { allowed: false; reason: Reason };

const DAY_MS = 86_400_000;

export const isOutbound = (channel: Channel, direction: Direction | undefined, policy: Pick<ContactPolicy, 'outboundChannels'>): boolean =>
  direction === 'outbound' || policy.outboundChannels.includes(channel);

const within = (c: ContactRecord, now: Date, days: number) => {
  const t = Date.parse(c.at);
  return t <= now.getTime() && now.getTime() - t < days * DAY_MS;
};

const marketing = (c: ContactRecord) => MARKETING_KINDS.has(c.kind as ActionKind);

const denied = (code: string, detail: string): Verdict => ({ allowed: false, reason: { code, detail } });

/**
 * `allowed` for an inbound contact now; for outbound during quiet hours it is refused (the caller
 * may instead schedule at `nextAllowedTime`, which `deferQuietHours` gives as `sendAfter`).
 */
export function contactAllowed(
  history: readonly ContactRecord[],
  req: ContactRequest,
  policy: ContactPolicy,
  opts: { householdHistory?: readonly ContactRecord[]; deferQuietHours?: boolean } = {},
): Verdict {
  const { action, channel, now } = req;
  if (!consentAllows(action.kind, channel, req.consent)) {
    return denied('no-consent', MARKETING_KINDS.has(action.kind) ? `no opt-in for ${channel}` : `${channel} opted out`);
  }
  let sendAfter: string | undefined;
  if (isOutbound(channel, req.direction, policy) && isQuietTime(now, policy.timeZone, policy.quietHours)) {
    const next = nextAllowedTime(now, policy.timeZone, policy.quietHours).toISOString();
    if (!opts.deferQuietHours) return denied('quiet-hours', `outbound ${channel} waits until ${next}`);
    sendAfter = next;
  }
  const ok: Verdict = sendAfter ? { allowed: true, sendAfter } : { allowed: true };
  if (action.mandatory && policy.mandatoryExempt) return ok;

  const declined = history.find(
    (c) => c.actionId === action.actionId && c.response === 'declined' && within({ ...c, at: c.respondedAt ?? c.at }, now, policy.declineSuppressionDays),
  );
  if (declined) return denied('declined-recently', `declined ${(declined.respondedAt ?? declined.at).slice(0, 10)}; suppressed ${policy.declineSuppressionDays} d`);

  for (const limit of action.limits.perCustomer) {
    const used = history.filter((c) => c.actionId === action.actionId && (!limit.channel || c.channel === limit.channel) && within(c, now, limit.days)).length;
    if (used >= limit.max) return denied('action-limit', `${used}/${limit.max} in ${limit.days} d${limit.channel ? ` on ${limit.channel}` : ''}`);
  }

  if (!MARKETING_KINDS.has(action.kind)) return ok;
  const perChannel = policy.perChannel[channel];
  if (perChannel) {
    const used = history.filter((c) => marketing(c) && c.channel === channel && within(c, now, perChannel.days)).length;
    if (used >= perChannel.max) return denied('channel-limit', `${used}/${perChannel.max} ${channel} contacts in ${perChannel.days} d`);
  }
  if (policy.overall) {
    const used = history.filter((c) => marketing(c) && within(c, now, policy.overall!.days)).length;
    if (used >= policy.overall.max) return denied('overall-limit', `${used}/${policy.overall.max} contacts in ${policy.overall.days} d`);
  }
  if (policy.household && opts.householdHistory) {
    const used = opts.householdHistory.filter((c) => marketing(c) && within(c, now, policy.household!.days)).length;
    if (used >= policy.household.max) return denied('household-limit', `${used}/${policy.household.max} household contacts in ${policy.household.days} d`);
  }
  return ok;
}

/**
 * The ledger from the customer's stored `H#` items: a decision log item expands to one record
 * per action it offered; a trigger or campaign item that is itself a ContactRecord passes as is.
 */
export function contactsOf(items: readonly Record<string, unknown>[]): ContactRecord[] {
  const out: ContactRecord[] = [];
  for (const item of items) {
    const offers = item['offers'];
    if (Array.isArray(offers)) {
      for (const o of offers as Array<Record<string, unknown>>) {
        out.push({
          id: String(item['id']),
          at: String(item['at']),
          channel: item['channel'] as Channel,
          actionId: String(o['actionId']),
          kind: o['kind'] as ActionKind,
          source: 'decision',
          ...(o['response'] ? { response: o['response'] as ContactRecord['response'] } : {}),
          ...(o['respondedAt'] ? { respondedAt: String(o['respondedAt']) } : {}),
        });
      }
    } else if (typeof item['actionId'] === 'string' && typeof item['at'] === 'string' && typeof item['channel'] === 'string') {
      out.push(item as unknown as ContactRecord);
    }
  }
  return out;
}

/** The market's starting point; each market config may override any part. */
export const DEFAULT_CONTACT_LIMITS: Pick<ContactPolicy, 'outboundChannels' | 'perChannel' | 'overall' | 'household' | 'declineSuppressionDays' | 'mandatoryExempt'> = {
  outboundChannels: ['sms', 'push', 'email'],
  perChannel: { sms: { max: 3, days: 7 }, push: { max: 5, days: 7 }, email: { max: 3, days: 7 }, 'call-centre': { max: 6, days: 7 }, ussd: { max: 30, days: 7 }, app: { max: 30, days: 7 }, retail: { max: 10, days: 7 } },
  overall: { max: 40, days: 7 },
  household: { max: 60, days: 7 },
  declineSuppressionDays: 30,
  mandatoryExempt: true,
};
