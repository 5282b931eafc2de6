import * as z from 'zod';
import { CHANNELS, CONTRACTS, type CustomerRecord } from '#domain/customer.ts';
import { storedAs } from './stored-items.ts';
import { LEGACY_VERSION } from './versioned-items.ts';

/**
 * Profiles written before versioning have no `version`, `createdAt` or `updatedAt`. They read as
 * version 1 like every versioned item (versioned-items.ts), and the writes expecting 1 accept a
 * profile without a version; their times stay absent (not known), so the next write keeps them so
 * rather than stamping a made-up creation time.
 */

const ScoreValue = z.looseObject({ value: z.number(), model: z.string(), version: z.string(), at: z.string() });

/**
 * A profile item's record, types only: the API's limits (lengths, patterns, counts) are checked
 * when a profile is written, and one tightened later must not make stored profiles unreadable.
 * Loose, as the record was read before: attributes a later version adds are kept.
 */
const StoredCustomer: z.ZodType<CustomerRecord, unknown> = z.looseObject({
  customerId: z.string(),
  version: z.number().default(LEGACY_VERSION),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  segment: z.string().optional(),
  tariff: z.string().optional(),
  tenureMonths: z.number().optional(),
  monthlyCharge: z.number().optional(),
  contract: z.enum(CONTRACTS).optional(),
  contractEndDate: z.string().optional(),
  products: z.array(z.string()).optional(),
  householdId: z.string().optional(),
  accountId: z.string().optional(),
  parentAccountId: z.string().optional(),
  consent: z.partialRecord(z.enum(CHANNELS), z.boolean()).optional(),
  language: z.string().optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  scores: z
    .looseObject({
      churn: ScoreValue.optional(),
      crossSell: z.record(z.string(), ScoreValue).optional(),
      nps: z
        .looseObject({
          score: z.number(),
          class: z.enum(['promoter', 'passive', 'detractor']),
          model: z.string(),
          version: z.string(),
          at: z.string(),
        })
        .optional(),
    })
    .optional(),
});

/** A profile item (`P`, kind `profile`) as the record it was written from, checked once where it is read. */
export function customerRecordOf(item: Record<string, unknown>): CustomerRecord {
  const { pk: _pk, sk: _sk, kind: _kind, gsi1pk: _g1, gsi1sk: _g2, ...record } = item;
  return storedAs(StoredCustomer, record, 'customer profile');
}
