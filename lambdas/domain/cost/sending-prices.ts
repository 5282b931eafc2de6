import type { AwsSendingType } from '../delivery/connection.ts';
import type { MeteredName } from '../metering.ts';

/**
 * What AWS charges per message it sends for a tenant: SMS per segment (message part) by destination
 * country, e-mail and mobile push per message. The one table of sending prices: the runtime prices
 * a campaign preview with it and the cost report (scripts/cost, which re-exports it from prices.ts
 * beside the infrastructure prices of prices.json) prices metered sends with it. It lives in the
 * domain because runtime code may not import scripts.
 *
 * Every figure names its source and the date it was read. None could be read from the AWS pricing
 * pages themselves here, so each is `third-party` (someone else's transcription of them) and the
 * preview and the report say so; check the AWS pages before quoting a figure to finance.
 */
export interface SendingPrice {
  usd: number;
  /** Units `usd` buys. */
  per: number;
  unit: string;
  date: string;
  source: string;
  confirmation: 'list' | 'third-party';
}

const SMS_SOURCE =
  'third-party transcription of the AWS End User Messaging SMS price export (https://aws.amazon.com/end-user-messaging/pricing/): ' +
  'github.com/cds-snc/notification-utils scripts/sms_pricing/aws_prices_sms_mar_2026.csv (commit a7f5ac75a7b5), read 2026-12-07; ' +
  'JP agrees with dev.classmethod.jp (2026-05-18)';

/**
 * Outbound SMS, USD per segment, "All Networks, All number types" of the export, by ISO 3166-1
 * country. Where the export lists a carrier fee (US, CA) it is added to the message fee. A country
 * missing here has no price: AWS does not send there (IR) or nobody transcribed it yet.
 */
const SMS_USD_PER_SEGMENT: Record<string, number> = {
  ZA: 0.1,
  NA: 0.08284,
  BW: 0.03831,
  KE: 0.17918,
  NG: 0.22809,
  EG: 0.31384,
  GB: 0.05,
  DE: 0.10719,
  FR: 0.073,
  ES: 0.07,
  NL: 0.1189,
  AE: 0.10809,
  SA: 0.19501,
  // local route (templates registered on India's DLT); the international route is 0.071
  IN: 0.004,
  JP: 0.07451,
  BR: 0.03,
  MX: 0.1,
  // long code message fee 0.007 + carrier fee 0.00302 (US), 0.00767 (CA)
  US: 0.01002,
  CA: 0.01467,
};

/** One segment to a country, as a price with its source; undefined where the table has none. */
export function smsSegmentPrice(country: string | undefined): SendingPrice | undefined {
  const usd = country ? SMS_USD_PER_SEGMENT[country.toUpperCase()] : undefined;
  if (usd === undefined) return undefined;
  return {
    usd,
    per: 1,
    unit: `outbound SMS segment (message part) to ${country!.toUpperCase()}`,
    date: '2026-12-07',
    source: SMS_SOURCE,
    confirmation: 'third-party',
  };
}

/** The countries the SMS table prices. */
export const SMS_PRICED_COUNTRIES: readonly string[] = Object.keys(SMS_USD_PER_SEGMENT);

export const EMAIL_PRICE: SendingPrice = {
  usd: 0.1,
  per: 1000,
  unit: 'outbound e-mail through SES (per message; attachments and data transfer beyond it not counted)',
  date: '2026-12-07',
  source:
    'https://aws.amazon.com/ses/pricing/ ($0.10 per 1,000 outbound messages), as transcribed by ' +
    'cloudcostkit.com/guides/aws-ses-pricing and a billed example on superuser.com question 1399690, read 2026-12-07',
  confirmation: 'third-party',
};

export const PUSH_PRICE: SendingPrice = {
  usd: 0.5,
  per: 1_000_000,
  unit: 'SNS mobile push notification delivered (the first million a month free, not counted)',
  date: '2026-12-07',
  source:
    'https://aws.amazon.com/sns/pricing/ (mobile push $0.50 per million), as transcribed by ' +
    'factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols (2026-06-13), read 2026-12-07',
  confirmation: 'third-party',
};

/** The meter each AWS sender writes per accepted message: SMS counts segments, the others messages. */
export const SENDING_METER: Record<AwsSendingType, MeteredName> = {
  sms: 'SmsSegmentsSent',
  email: 'EmailsSent',
  push: 'PushesSent',
};

/** The price of one unit of a sender's meter (an SMS segment to `country`, an e-mail, a push). */
export function sendingPrice(type: AwsSendingType, country: string | undefined): SendingPrice | undefined {
  return type === 'sms' ? smsSegmentPrice(country) : type === 'email' ? EMAIL_PRICE : PUSH_PRICE;
}

export interface SendingCostLine {
  type: AwsSendingType;
  meter: MeteredName;
  units: number;
  /** Undefined when the table has no price (an SMS country it does not list): the line's usd is then 0 and flagged. */
  unitUsd?: number;
  usd: number;
  confirmation?: SendingPrice['confirmation'];
}

export interface SendingCost {
  usd: number;
  lines: SendingCostLine[];
  /** Units that could not be priced, by meter (the total leaves them out). */
  unpriced: Partial<Record<MeteredName, number>>;
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * What AWS charges for the sends metered in `usage` (one tenant's month), SMS segments priced at
 * `country` (the market's: destination numbers of other countries are priced as if local).
 */
export function sendingCostOf(usage: Partial<Record<MeteredName, number>>, country: string | undefined): SendingCost {
  const lines: SendingCostLine[] = [];
  const unpriced: SendingCost['unpriced'] = {};
  for (const [type, meter] of Object.entries(SENDING_METER) as [AwsSendingType, MeteredName][]) {
    const units = usage[meter] ?? 0;
    if (units <= 0) continue;
    const price = sendingPrice(type, country);
    if (!price) {
      unpriced[meter] = units;
      lines.push({ type, meter, units, usd: 0 });
      continue;
    }
    const unitUsd = price.usd / price.per;
    lines.push({ type, meter, units, unitUsd, usd: round6(units * unitUsd), confirmation: price.confirmation });
  }
  return { usd: round6(lines.reduce((s, l) => s + l.usd, 0)), lines, unpriced };
}
