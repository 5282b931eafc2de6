/**
 * `npm run keys -- create|list|rotate|revoke --tenant X [--scope admin|channel] [--overlap-hours 24]
 *  [--key-id id] [--market demo] [--aws]`
 * API key administration against the local runtime's key table (default) or the market's table
 * in AWS (`--aws`, credentials from the environment). A new key is printed once and never stored.
 */
import { parseArgs } from 'node:util';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { keysTableName, tenantTableName } from '#adapters/dynamo/table-design.ts';
import { systemClock } from '#adapters/clock.ts';
import { keyAdmin } from '#app/keys.ts';
import { loadMarket } from '#config/markets/index.ts';
import type { KeyScope } from '#domain/api-key.ts';
import { localDynamo } from '../lib/local-dynamo.ts';

const USAGE =
  'usage: npm run keys -- create|list|rotate|revoke --tenant <id> [--scope admin|channel] [--overlap-hours 24] [--key-id <id>] [--market demo] [--aws]';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      tenant: { type: 'string' },
      scope: { type: 'string', default: 'channel' },
      'overlap-hours': { type: 'string', default: '24' },
      'key-id': { type: 'string' },
      market: { type: 'string', default: process.env['CVM_MARKET'] ?? 'demo' },
      aws: { type: 'boolean', default: false },
    },
  });
  const [command] = positionals;
  if (!command || !['create', 'list', 'rotate', 'revoke'].includes(command)) throw new Error(USAGE);
  const market = loadMarket(values.market);
  const tenant = values.tenant;
  if (!tenant || !market.tenants.some((t) => t.id === tenant)) {
    throw new Error(`--tenant must be one of ${market.tenants.map((t) => t.id).join(', ')} (market ${market.code})`);
  }
  const scope = values.scope as KeyScope;
  if (scope !== 'admin' && scope !== 'channel') throw new Error('--scope is admin or channel');

  const local = values.aws ? undefined : await localDynamo(market);
  try {
    const db = documentClient(local ? { endpoint: local.endpoint } : { region: market.aws.region });
    const audit = new DynamoAuditLog(db, (t) => tenantTableName(market.code, t));
    const admin = keyAdmin({
      keys: new DynamoKeyStore(db, keysTableName(market.code)),
      clock: systemClock,
      // every key change lands in the tenant's audit trail (GET /v1/audit)
      onChange: (c, actor) =>
        audit.record({
          tenant: c.tenant,
          keyId: actor,
          what: c.what,
          subject: c.keyId,
          at: systemClock.now().toISOString(),
          before: c.before,
          after: c.after,
        }),
    });
    const actor = `cli:${process.env['USER'] ?? 'operator'}`;
    switch (command) {
      case 'create': {
        const { keyId, apiKey } = await admin.create(tenant, scope, actor);
        console.log(
          `created ${scope} key ${keyId} for tenant ${tenant}. Copy it now; it is not stored and will not be shown again:\n\n  ${apiKey}\n`,
        );
        break;
      }
      case 'list':
        console.table(await admin.list(tenant));
        break;
      case 'rotate': {
        const overlapHours = Number(values['overlap-hours']);
        const { created, expiring } = await admin.rotate(
          tenant,
          { scope, overlapHours, ...(values['key-id'] ? { keyId: values['key-id'] } : {}) },
          actor,
        );
        console.log(
          `new ${scope} key ${created.keyId} for tenant ${tenant}. Copy it now; it is not stored and will not be shown again:\n\n  ${created.apiKey}\n`,
        );
        for (const e of expiring) console.log(`old key ${e.keyId} keeps working until ${e.expiresAt}`);
        if (!expiring.length) console.log(`tenant ${tenant} had no other usable ${scope} key`);
        break;
      }
      case 'revoke': {
        const keyId = values['key-id'];
        if (!keyId) throw new Error('revoke needs --key-id (see `npm run keys -- list --tenant X`)');
        await admin.revoke(tenant, keyId, actor);
        console.log(
          `revoked ${keyId} of tenant ${tenant}; it stops working at once${values.aws ? ' (the authorizer cache may accept it for up to 60 s more)' : ''}`,
        );
        break;
      }
    }
  } finally {
    await local?.stop();
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
