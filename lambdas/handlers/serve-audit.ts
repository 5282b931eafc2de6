import type * as z from 'zod';
import { listAudit } from '#app/audit.ts';
import { httpHandler, type HttpRequest } from '#http/http-handler.ts';
import { AUDIT_ROUTES } from '#http/routes/audit.ts';
import type { AuditQuery } from '#http/schemas/audit.ts';
import { platformEnv } from '#composition/platform-env.ts';
import { adaptersFor } from '#composition/platform.ts';

const list = listAudit(adaptersFor(platformEnv()));

/** GET /v1/audit: the caller's tenant's audit trail (admin keys only). */
export const handler = httpHandler(AUDIT_ROUTES, {
  listAudit: async (req: HttpRequest<unknown, z.output<typeof AuditQuery>>) => ({
    status: 200,
    body: await list(req.caller.tenant, req.query),
  }),
});
