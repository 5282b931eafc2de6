import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { PriceTable } from './cost-math.ts';

export const PRICES_FILE = new URL('./prices.json', import.meta.url);

const Price = z.strictObject({
  usd: z.number().nonnegative(),
  per: z.number().positive(),
  unit: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  region: z.string().min(1),
  source: z.string().min(1),
});
const Table = z.strictObject({
  currency: z.literal('USD'),
  region: z.string(),
  note: z.string(),
  prices: z.record(z.string(), Price),
});

const REQUIRED = [
  'apigw.rest.request',
  'apigw.http.request',
  'lambda.request',
  'lambda.arm64.gbSecond',
  'lambda.x86_64.gbSecond',
  'dynamodb.onDemand.read',
  'dynamodb.onDemand.write',
  'sqs.standard.request',
  'logs.ingest.standard',
  'logs.storage',
  'metrics.custom.month',
  'xray.trace.recorded',
  'stepfunctions.standard.transition',
  'sagemaker.serverless.gbSecond',
  'sagemaker.serverless.dataGb',
];

/** The price table: every price with its date, region and source; a missing one names itself. */
export function loadPrices(file: URL | string = PRICES_FILE): PriceTable {
  const parsed = Table.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`price table: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const missing = REQUIRED.filter((id) => !parsed.data.prices[id]);
  if (missing.length) throw new Error(`price table: missing ${missing.join(', ')}`);
  return parsed.data as PriceTable;
}
