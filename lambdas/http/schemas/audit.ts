import * as z from 'zod';
import { AuditEntryFields } from '#edge/records/audit-entry.ts';
import { ListOf, PageQuery } from './common.ts';

export const AuditQuery = z.strictObject({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'yyyy-mm')
    .optional(),
  ...PageQuery.shape,
});

export const AuditEntrySchema = AuditEntryFields.meta({ id: 'AuditEntry' });

export const AuditList = ListOf(AuditEntrySchema).meta({ id: 'AuditList' });
