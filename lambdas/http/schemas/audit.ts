import * as z from 'zod';
import { ListOf, PageQuery } from './common.ts';

export const AuditQuery = z.strictObject({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'yyyy-mm')
    .optional(),
  ...PageQuery.shape,
});

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    keyId: z.string(),
    what: z.string(),
    subject: z.string(),
    at: z.string(),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
  })
  .meta({ id: 'AuditEntry' });

export const AuditList = ListOf(AuditEntrySchema).meta({ id: 'AuditList' });
