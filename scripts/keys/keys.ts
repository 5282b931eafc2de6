/**
 * `npm run keys -- create|list|rotate|revoke --tenant X [--scope admin|channel] [--overlap-hours 24]
 *  [--key-id id] [--market demo] [--aws]`
 * API key administration against the local runtime's key table (default) or the market's table
 * in AWS (`--aws`, credentials from the environment). A new key is printed once and never stored.
 * After a revoke or rotate it flushes the authorizer cache (the running local runtime's, or the
 * deployed stage's with FlushStageAuthorizersCache), so the change holds from the next request.
 */
import { deploymentOf } from '#config/market-config.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { keysTableName, tenantTableName } from '#adapters/dynamo/table-design.ts';
import { systemClock } from '#adapters/clock.ts';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { resolve } from 'node:path';
import { ApiGatewayAuthorizerCache } from '#adapters/api-gateway/authorizer-cache.ts';
import { LocalAuthorizerCache } from '#adapters/local/local-authorizer-cache.ts';
import { AUTHORIZER_CACHE_SECONDS, restApiNameOf, STAGE_NAME } from '#config/api-stage.ts';
import { keyAdmin } from '#app/keys.ts';
import { refusedFrom } from './key-messages.ts';
import type { KeyScope } from '#domain/api-key.ts';
import { type ArgsOf, defineCli, marketAt, marketOption, stageOption, tenantOf, UsageError } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';

const cli = defineCli({
  name: 'keys',
  summary:
    "API key administration against the local runtime's key table, or the market's table in AWS with --aws. A new key is printed once and never stored.",
  positionals: {
    placeholder: 'create|list|rotate|revoke',
    description: 'what to do',
    min: 1,
    max: 1,
    choices: ['create', 'list', 'rotate', 'revoke'],
  },
  options: {
    tenant: { type: 'string', required: true, placeholder: '<id>', description: 'the tenant whose keys these are' },
    scope: {
      type: 'string',
      default: 'channel',
      choices: ['admin', 'channel'],
      placeholder: 'admin|channel',
      description: 'the scope of the key to create or rotate',
    },
    'overlap-hours': { type: 'number', min: 0, default: 24, description: 'rotate: how long the old key keeps working' },
    'key-id': { type: 'string', placeholder: '<id>', description: 'the key to revoke (required there) or rotate' },
    market: marketOption(),
    stage: stageOption(),
    aws: { type: 'boolean', description: "the market's deployed key table (credentials from the environment)" },
  },
});

async function main(values: ArgsOf<typeof cli>, [command]: string[]) {
  const market = marketAt(values.market, values.stage);
  const tenant = tenantOf(market, values.tenant);
  const scope: KeyScope = values.scope;
  if (command === 'revoke' && !values['key-id'])
    throw new UsageError('revoke needs --key-id (see `npm run keys -- list --tenant X`)');

  const local = values.aws ? undefined : await localDynamo(market);
  try {
    const db = documentClient(local ? { endpoint: local.endpoint } : { region: market.aws.region });
    const audit = new DynamoAuditLog(db, (t) => tenantTableName(deploymentOf(market), t));
    const admin = keyAdmin({
      keys: new DynamoKeyStore(db, keysTableName(deploymentOf(market))),
      clock: systemClock,
      authorizerCache: values.aws
        ? new ApiGatewayAuthorizerCache(
            restApiNameOf(market),
            STAGE_NAME,
            new APIGatewayClient({ region: market.aws.region }),
          )
        : new LocalAuthorizerCache(resolve(process.env['CVM_LOCAL_DIR'] ?? '.local')),
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
        const overlapHours = values['overlap-hours'];
        const { created, expiring, cache } = await admin.rotate(
          tenant,
          { scope, overlapHours, ...(values['key-id'] ? { keyId: values['key-id'] } : {}) },
          actor,
        );
        console.log(
          `new ${scope} key ${created.keyId} for tenant ${tenant}. Copy it now; it is not stored and will not be shown again:\n\n  ${created.apiKey}\n`,
        );
        const now = systemClock.now().toISOString();
        for (const e of expiring) {
          console.log(
            e.expiresAt <= now
              ? `old key ${e.keyId} stopped working: ${refusedFrom(cache)}`
              : `old key ${e.keyId} keeps working until ${e.expiresAt}; it is refused within ${AUTHORIZER_CACHE_SECONDS} s after that (the authorizer cache)`,
          );
        }
        if (!expiring.length) console.log(`tenant ${tenant} had no other usable ${scope} key`);
        break;
      }
      case 'revoke': {
        const keyId = values['key-id'];
        if (!keyId) throw new Error('revoke needs --key-id (see `npm run keys -- list --tenant X`)');
        const { cache } = await admin.revoke(tenant, keyId, actor);
        console.log(`revoked ${keyId} of tenant ${tenant}: ${refusedFrom(cache)}`);
        break;
      }
    }
  } finally {
    await local?.stop();
  }
}

await cli.run(main);
