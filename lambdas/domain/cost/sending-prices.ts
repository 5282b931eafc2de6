import type { AwsSendingType } from '../delivery/connection.ts';
import type { MeteredName } from '../usage-readings.ts';

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
  'github.com/cds-snc/notification-utils scripts/sms_pricing/aws_prices_sms_mar_2026.csv (commit a7f5ac75a7b5), read 2026-12-06; ' +
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
    date: '2026-12-06',
    source: SMS_SOURCE,
    confirmation: 'third-party',
  };
}

/** The countries the SMS table prices. */
export const SMS_PRICED_COUNTRIES: readonly string[] = Object.keys(SMS_USD_PER_SEGMENT);

/** How the SMS segments to one destination country are priced. */
export interface SmsPricing {
  /** The destination's country, as its number says; absent when unknown. */
  destination?: string;
  /** The country whose price applies: the destination's, or the market's where the destination has none. */
  pricedAs?: string;
  /** Undefined when neither country has a price: the segments are left out, unpriced. */
  price?: SendingPrice;
  /** Why the destination's own price is not the one used (shown beside the figure). */
  fallback?: string;
}

/**
 * An SMS segment to `destination` (an ISO country, from the number: calling-codes.ts): at its own
 * price; where the number's country is unknown or the table has no price for it, at the market
 * country's price, flagged with why.
 */
export function smsPricing(destination: string | undefined, marketCountry: string | undefined): SmsPricing {
  const dest = destination?.toUpperCase();
  const own = smsSegmentPrice(dest);
  if (own) return { destination: dest!, pricedAs: dest!, price: own };
  const market = marketCountry?.toUpperCase();
  const why = dest ? `no SMS price for ${dest}` : 'destination country unknown';
  const price = smsSegmentPrice(market);
  return {
    ...(dest ? { destination: dest } : {}),
    ...(price ? { pricedAs: market!, price, fallback: `${why}: priced as ${market}` } : {}),
    ...(price ? {} : { fallback: `${why}, and none for the market's country ${market ?? '(the market has none)'}` }),
  };
}

export const EMAIL_PRICE: SendingPrice = {
  usd: 0.1,
  per: 1000,
  unit: 'outbound e-mail through SES (per message; attachments and data transfer beyond it not counted)',
  date: '2026-12-06',
  source:
    'https://aws.amazon.com/ses/pricing/ ($0.10 per 1,000 outbound messages), as transcribed by ' +
    'cloudcostkit.com/guides/aws-ses-pricing and a billed example on superuser.com question 1399690, read 2026-12-06',
  confirmation: 'third-party',
};

export const PUSH_PRICE: SendingPrice = {
  usd: 0.5,
  per: 1_000_000,
  unit: 'SNS mobile push notification delivered (the first million a month free, not counted)',
  date: '2026-12-06',
  source:
    'https://aws.amazon.com/sns/pricing/ (mobile push $0.50 per million), as transcribed by ' +
    'factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols (2026-06-13), read 2026-12-06',
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
  /** SMS: the destination country of these segments (absent: unknown) and whose price applies. */
  destination?: string;
  pricedAs?: string;
  /** SMS: why the destination's own price is not the one used. */
  fallback?: string;
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

/** The key of SMS segments whose destination country is not known, in a by-destination count. */
export const UNKNOWN_DESTINATION = '';

/**
 * What AWS charges for the sends metered in `usage` (one tenant's month). SMS segments are priced
 * by destination country where `smsByDestination` (segments by ISO country, UNKNOWN_DESTINATION for
 * numbers of no known country) says where they went; what it does not cover of the metered
 * SmsSegmentsSent (or all of it, without it) is priced at the market `country`, flagged.
 */
export function sendingCostOf(
  usage: Partial<Record<MeteredName, number>>,
  country: string | undefined,
  smsByDestination: Readonly<Record<string, number>> = {},
): SendingCost {
  const lines: SendingCostLine[] = [];
  const unpriced: SendingCost['unpriced'] = {};
  const add = (type: AwsSendingType, meter: MeteredName, units: number, price: SendingPrice | undefined, sms = {}) => {
    if (!price) {
      unpriced[meter] = (unpriced[meter] ?? 0) + units;
      lines.push({ type, meter, units, ...sms, usd: 0 });
      return;
    }
    const unitUsd = price.usd / price.per;
    lines.push({ type, meter, units, ...sms, unitUsd, usd: round6(units * unitUsd), confirmation: price.confirmation });
  };
  for (const [type, meter] of Object.entries(SENDING_METER) as [AwsSendingType, MeteredName][]) {
    const units = usage[meter] ?? 0;
    if (units <= 0) continue;
    if (type !== 'sms') {
      add(type, meter, units, sendingPrice(type, country));
      continue;
    }
    for (const [destination, n] of smsSplit(units, smsByDestination)) {
      const { price, ...how } = smsPricing(destination || undefined, country);
      add(type, meter, n, price, how);
    }
  }
  return { usd: round6(lines.reduce((s, l) => s + l.usd, 0)), lines, unpriced };
}

/**
 * The metered segments by destination, largest first: the by-destination counts as far as the
 * total goes, the rest of the total under UNKNOWN_DESTINATION (segments metered without a country).
 */
function smsSplit(total: number, byDestination: Readonly<Record<string, number>>): [string, number][] {
  const out = new Map<string, number>();
  let left = total;
  const known = Object.entries(byDestination)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  for (const [destination, n] of known) {
    const take = Math.min(n, left);
    if (take <= 0) break;
    out.set(destination.toUpperCase(), (out.get(destination.toUpperCase()) ?? 0) + take);
    left -= take;
  }
  if (left > 0) out.set(UNKNOWN_DESTINATION, (out.get(UNKNOWN_DESTINATION) ?? 0) + left);
  return [...out];
}
