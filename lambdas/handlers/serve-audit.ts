import { listAudit } from '#app/audit.ts';
import { httpHandler } from '#http/http-handler.ts';
import { AUDIT_ROUTES } from '#http/routes/audit.ts';
import { platformEnv } from '#composition/platform-env.ts';
import { auditPortsFor } from '#composition/audit.ts';

const list = listAudit(auditPortsFor(platformEnv()));

/** GET /v1/audit: the caller's tenant's audit trail (admin keys only). */
export const handler = httpHandler(AUDIT_ROUTES, {
  listAudit: async (req) => ({
    status: 200,
    body: await list(req.caller.tenant, req.query),
  }),
});
