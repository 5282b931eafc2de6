import { CHANNELS, CONTRACTS, type Profile } from '#domain/customer.ts';
import * as z from 'zod';
import { Id } from '#edge/ids.ts';
import { LoggedDecision } from './decision-view.ts';

const Scalar = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]);
const Channel = z.enum(CHANNELS);

/** Fields a GET returns that the platform owns: a PUT accepts and ignores them (round trip). */
const readOnly = {
  customerId: z.unknown().optional(),
  version: z.unknown().optional(),
  state: z.unknown().optional(),
  scores: z.unknown().optional(),
  valueTier: z.unknown().optional(),
  createdAt: z.unknown().optional(),
  updatedAt: z.unknown().optional(),
  recentContacts: z.unknown().optional(),
};

const profileFields = {
  segment: z.string().min(1).max(64).optional(),
  tariff: z.string().min(1).max(64).optional(),
  tenureMonths: z.number().int().min(0).max(1200).optional(),
  monthlyCharge: z.number().min(0).max(1_000_000).optional(),
  contract: z.enum(CONTRACTS).optional(),
  contractEndDate: z.iso.date().optional().meta({
    description:
      'The last day of the contract (ISO date, YYYY-MM-DD): rules see `signals.daysToContractEnd` and `signals.lifecycleStage` from it',
    example: '2026-06-30',
  }),
  products: z.array(Id).max(100).optional(),
  householdId: Id.optional(),
  accountId: Id.optional(),
  parentAccountId: Id.optional(),
  consent: z.partialRecord(Channel, z.boolean()).optional(),
  language: z
    .string()
    .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag such as en or en-ZA')
    .optional(),
  attributes: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'attribute names are letters, digits, _ . -'), Scalar)
    .refine((a) => Object.keys(a).length <= 100, 'at most 100 attributes')
    .optional(),
};

export const CustomerProfileBody = z
  .strictObject({ ...profileFields, ...readOnly })
  .transform(
    ({
      customerId: _customerId,
      version: _version,
      state: _state,
      scores: _scores,
      valueTier: _valueTier,
      createdAt: _createdAt,
      updatedAt: _updatedAt,
      recentContacts: _recentContacts,
      ...profile
    }): Profile => profile,
  )
  .meta({ id: 'CustomerProfile', description: 'Read-only fields a GET returns are accepted and ignored.' });

/**
 * PATCH: an RFC 7396 merge patch over the stored profile. Its shape is checked after it is applied:
 * the patched profile must be a valid `CustomerProfile` (fields named by their path in the result).
 */
export const CustomerMergePatch = z.record(z.string(), z.unknown()).meta({
  id: 'CustomerMergePatch',
  description:
    'A JSON Merge Patch (RFC 7396) over the profile: members it names are set (objects such as `consent` and `attributes` merge member by member), `null` removes one, and everything it does not name is kept. The patched profile must be a valid CustomerProfile; read-only fields are ignored.',
  example: { tariff: 'smart-80', consent: { sms: false } },
});

export const CustomerView = z
  .object({
    ...profileFields,
    customerId: Id,
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    valueTier: z.enum(['platinum', 'gold', 'silver', 'bronze']),
    state: z.record(z.string(), z.unknown()),
    scores: z.record(z.string(), z.unknown()).optional().meta({
      description:
        '`churn`, `crossSell.<product>`, `nps`, each with `{model, version, at}`. `churn` is the newer (by `at`) of the nightly score and the real-time one the event processor computes when an event moves a feature the pinned churn model reads (`state.scores.churn`)',
    }),
    recentContacts: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'Customer' });

export const CustomerParams = z.object({ customerId: Id });
export const HouseholdParams = z.object({ householdId: Id });

export const Household = z
  .object({
    householdId: Id,
    members: z.array(
      z.object({
        customerId: Id,
        segment: z.string().optional(),
        tariff: z.string().optional(),
        monthlyCharge: z.number().optional(),
        valueTier: z.string(),
      }),
    ),
    monthlyValue: z.number(),
  })
  .meta({ id: 'Household' });

export const CustomerExport = z
  .object({
    customerId: Id,
    exportedAt: z.string(),
    items: z.array(z.record(z.string(), z.unknown())),
    decisions: z.array(LoggedDecision).meta({ description: "The customer's decisions in the decision log" }),
    audiences: z
      .array(z.string())
      .meta({ description: 'The uploaded audiences (POST /v1/audiences) whose list names the customer, by id' }),
  })
  .meta({ id: 'CustomerExport' });
