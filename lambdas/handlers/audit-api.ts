import { listAudit } from '#app/audit.ts';
import { httpHandler } from '#http/pipeline.ts';
import { AUDIT_ROUTES } from '#http/routes/audit.ts';
import { platformEnv } from './env.ts';
import { adaptersFor } from './wiring.ts';

const list = listAudit(adaptersFor(platformEnv()));

/** GET /v1/audit: the caller's tenant's audit trail (admin keys only). */
export const handler = httpHandler(AUDIT_ROUTES, {
  listAudit: async (req) => ({
    status: 200,
    body: await list(req.caller.tenant, req.query as { month?: string; limit?: number; nextToken?: string }),
  }),
});
