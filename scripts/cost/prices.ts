import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { Price, PriceId, PriceTable } from './cost-math.ts';

export const PRICES_FILE = new URL('./prices.json', import.meta.url);

/**
 * The sending prices (SMS per segment by country, e-mail and push per message) belong to the same
 * table but live in the domain, because the runtime prices campaign previews with them and may not
 * import scripts: one source, re-exported here for the cost report and the cost model.
 */
export {
  EMAIL_PRICE,
  PUSH_PRICE,
  SENDING_METER,
  sendingCostOf,
  sendingPrice,
  SMS_PRICED_COUNTRIES,
  smsSegmentPrice,
} from '#domain/cost/sending-prices.ts';

const Tier = z.strictObject({ upTo: z.number().positive().nullable(), usd: z.number().nonnegative() });
const Listed = z.strictObject({
  usd: z.number().nonnegative(),
  per: z.number().positive(),
  unit: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
  /** Volume tiers per month (`upTo` in units of the price, cumulative; null = no upper bound). */
  tiers: z.array(Tier).min(1).optional(),
  /** `third-party`: the figure comes from someone else's transcription, not the AWS page itself. */
  confirmation: z.enum(['list', 'third-party']).default('list'),
});
const Region = z.strictObject({ note: z.string(), prices: z.record(z.string(), Listed) });
const File = z.strictObject({
  currency: z.literal('USD'),
  reference: z.string(),
  note: z.string(),
  regions: z.record(z.string(), Region),
});

export const REQUIRED: readonly PriceId[] = [
  'apigw.rest.request',
  'apigw.http.request',
  'lambda.request',
  'lambda.arm64.gbSecond',
  'lambda.x86_64.gbSecond',
  'dynamodb.onDemand.read',
  'dynamodb.onDemand.write',
  'dynamodb.storage',
  'dynamodb.pitr',
  'sqs.standard.request',
  'logs.ingest.standard',
  'logs.ingest.infrequentAccess',
  'logs.storage',
  'metrics.custom.month',
  'xray.trace.recorded',
  'stepfunctions.standard.transition',
  'sagemaker.serverless.gbSecond',
  'sagemaker.serverless.dataGb',
  'firehose.directPut.gb',
  's3.standard.storage',
  's3.put',
];

/**
 * The price table of `region`: its own prices where the file lists them, the reference region's
 * (us-east-1) everywhere else, each such price marked `fallback` so the printout can flag it. A
 * region the file does not know at all is all fallbacks, said in the note. A price missing from
 * the reference region names itself.
 */
export function loadPrices(region?: string, file: URL | string = PRICES_FILE): PriceTable {
  const parsed = File.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`price table: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { reference, regions } = parsed.data;
  const ref = regions[reference];
  if (!ref) throw new Error(`price table: no prices for the reference region ${reference}`);
  const missing = REQUIRED.filter((id) => !ref.prices[id]);
  if (missing.length) throw new Error(`price table: ${reference} is missing ${missing.join(', ')}`);
  const wanted = region ?? reference;
  const own = regions[wanted];
  const prices: Record<string, Price> = {};
  for (const [id, p] of Object.entries(ref.prices)) {
    const listed = own?.prices[id];
    prices[id] = listed
      ? { ...listed, region: wanted, status: listed.confirmation }
      : { ...p, region: reference, status: wanted === reference ? p.confirmation : 'fallback' };
  }
  return {
    currency: parsed.data.currency,
    region: wanted,
    reference,
    note: own ? own.note : `no price table for ${wanted}: every price is ${reference}'s, flagged as a fallback`,
    prices: prices as Record<PriceId, Price>,
  };
}

/** The prices a figure used that are not the region's own list price: fallbacks and third-party ones. */
export function flaggedPrices(prices: PriceTable, used: readonly PriceId[] = REQUIRED) {
  const ids = [...new Set(used)];
  return {
    fallback: ids.filter((id) => prices.prices[id]?.status === 'fallback'),
    thirdParty: ids.filter((id) => prices.prices[id]?.status === 'third-party'),
  };
}
