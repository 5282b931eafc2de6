import * as z from 'zod';

/**
 * An audit entry's fields, in one place for the two sides that check them: the API documents and
 * serves them (lambdas/http/schemas/audit.ts) and the audit log checks what it reads back
 * (lambdas/adapters/dynamo/audit-log.ts); each adds what only it needs (an OpenAPI id, loose reads).
 */
export const AuditEntryFields = z.object({
  id: z.string(),
  tenant: z.string(),
  keyId: z.string(),
  what: z.string(),
  subject: z.string(),
  at: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
