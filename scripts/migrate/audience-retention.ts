/**
 * `npm run migrate-audience-retention -- [--tenant X] [--market demo] [--stage dev] [--aws] [--dry-run]
 *  [--wait-minutes 5]`
 * The one-off upgrade step after deploying audience retention: every uploaded audience created
 * before it (the old `AUDIENCES` list) gets its expiry, its record and ids the TTL, and moves to
 * the list erasure and subject access read by expiry. Against the local runtime's tables (default)
 * or the market's deployed tables (`--aws`, credentials from the environment). Safe to run again
 * and while the platform serves; an audience being read mid-upload is waited for, then migrated.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { deploymentOf } from '#config/market-config.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoAudienceRetentionMigration } from '#adapters/dynamo/audience-retention-migration.ts';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { systemClock } from '#adapters/clock.ts';
import { LEASE_SKEW_MS } from '#domain/campaign/audience-migration.ts';
import { migrateAudienceRetention, type AudienceRetentionSummary } from '#app/migrate-audience-retention.ts';
import { type ArgsOf, defineCli, marketAt, marketOption, stageOption, tenantOf } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';

const cli = defineCli({
  name: 'migrate-audience-retention',
  summary:
    "Gives the uploaded audiences created before retention their expiry (created + the market's retention.audienceDays, at the earliest now) and TTL, and moves them to the list by expiry. Run once per market and stage after deploying; running it again changes nothing.",
  options: {
    tenant: { type: 'string', placeholder: '<id>', description: 'one tenant (default: every tenant of the market)' },
    market: marketOption(),
    stage: stageOption(),
    aws: { type: 'boolean', description: "the market's deployed tenant tables (credentials from the environment)" },
    'dry-run': {
      type: 'boolean',
      description: 'only read: how many audiences would move, and how many expire at once',
    },
    'wait-minutes': {
      type: 'number',
      min: 0,
      max: 120,
      default: 5,
      description: 'how long to wait for audiences being read mid-upload before leaving them to a later run',
    },
  },
});

const line = (s: AudienceRetentionSummary, dryRun: boolean) =>
  `${s.tenant}: ${s.migrated} audience(s) ${dryRun ? 'would move' : 'moved'} to the list by expiry` +
  ` (${s.expiredNow} already older than the retention ${dryRun ? 'would expire' : 'expire'} now)` +
  `${dryRun ? '' : `, ${s.ids} id item(s) given their TTL`}` +
  `${s.deferred.length ? `, ${s.deferred.length} mid-upload` : ''}`;

async function main(values: ArgsOf<typeof cli>) {
  const market = marketAt(values.market, values.stage);
  const tenants = values.tenant ? [tenantOf(market, values.tenant)] : market.tenants.map((t) => t.id);
  const dryRun = values['dry-run'] ?? false;
  const local = values.aws ? undefined : await localDynamo(market);
  try {
    const db = documentClient(local ? { endpoint: local.endpoint } : { region: market.aws.region });
    const migrate = migrateAudienceRetention({
      store: new DynamoAudienceRetentionMigration(db, (t) => tenantTableName(deploymentOf(market), t)),
      clock: systemClock,
      audienceDays: market.retention.audienceDays,
    });
    const giveUpAt = Date.now() + values['wait-minutes'] * 60_000;
    let left = 0;
    for (const tenant of tenants) {
      let summary = await migrate(tenant, { dryRun });
      console.log(line(summary, dryRun));
      // a reader holds its lease about a minute at a time: wait it out and take what it left
      while (!dryRun && summary.deferred.length) {
        const until = Math.max(...summary.deferred.map((d) => Date.parse(d.leaseUntil))) + LEASE_SKEW_MS + 1000;
        if (until > giveUpAt) break;
        await sleep(Math.max(0, until - Date.now()));
        summary = await migrate(tenant, { dryRun });
        console.log(line(summary, dryRun));
      }
      left += summary.deferred.length;
    }
    if (left) {
      console.error(
        `${left} audience(s) were still being read mid-upload: they stay in the old list (erasure still reads it); run this again`,
      );
      return 1;
    }
  } finally {
    await local?.stop();
  }
  return 0;
}

await cli.run(main);
