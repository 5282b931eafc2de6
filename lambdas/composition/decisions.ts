import { CachedActionCatalog } from '#adapters/cache/cached-action-catalog.ts';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoContactLedgers } from '#adapters/dynamo/contact-ledger.ts';
import { DynamoDecisionLog } from '#adapters/dynamo/decision-log.ts';
import { DynamoLearningStore } from '#adapters/dynamo/learning-store.ts';
import { DynamoVolumeCounter } from '#adapters/dynamo/volume-counter.ts';
import { ruleBudgetRecorderFromEnv } from '#adapters/metrics/powertools-metrics.ts';
import { loadPinnedModelsFromDir } from '#adapters/models/file-model-store.ts';
import type { DecisionPorts } from '#app/decisions.ts';
import type { ScoringPort } from '#domain/ports/scoring.ts';
import type { DecisionsEnv } from './decisions-env.ts';
import { modelsDirOf } from './decisions-env.ts';
import { platformBase, randomResourceId } from './platform.ts';
import { onlineScoring } from './online-scoring.ts';

/**
 * The scoring port for customers without stored scores, of the market's mode: the SageMaker
 * endpoint with the bundled models in process as its fallback, or those models alone.
 */
export async function decisionScoring(
  env: DecisionsEnv,
  clock: DecisionPorts['clock'],
): Promise<ScoringPort | undefined> {
  if (Object.keys(env.raw.models).length === 0) return undefined;
  const models = await loadPinnedModelsFromDir(modelsDirOf(env), env.raw.modelsMarket, env.raw.models);
  return onlineScoring(
    { MARKET: env.platform.MARKET, AWS_REGION: env.platform.AWS_REGION, ...env.scoring },
    models,
    clock,
  );
}

/** The composition root of the decisions function, built once per container. */
export async function decisionAdaptersFor(env: DecisionsEnv) {
  const base = platformBase(env.platform);
  const { tableOf } = base;
  const ttlMs = env.raw.cacheSeconds * 1000;
  // the actions API writes through the cache too, so this container sees its own change at once
  const catalog = new CachedActionCatalog(new DynamoActionCatalog(base.db, tableOf), ttlMs, Date.now);
  const ports: DecisionPorts = {
    customers: new DynamoCustomerRepo(base.db, tableOf),
    catalog,
    log: new DynamoDecisionLog(base.db, { tenant: tableOf, decisions: base.decisionTableOf }),
    ledgers: new DynamoContactLedgers(base.db, tableOf),
    // a decision waits at most ~175 ms on a throttled read of the learning counts, then answers 503
    learning: new DynamoLearningStore(base.db, tableOf, ttlMs, Date.now, { attempts: 4 }),
    volume: new DynamoVolumeCounter(base.db, tableOf, env.raw.volumeShards),
    clock: base.clock,
    audit: new DynamoAuditLog(base.db, tableOf),
    meter: base.meter,
    randomId: randomResourceId,
    settings: env.settings,
    rulesOverBudget: ruleBudgetRecorderFromEnv(process.env),
  };
  const scoring = await decisionScoring(env, base.clock);
  // GET /v1/actions pages the table itself, not the decision path's cached list
  const actionPages = new DynamoActionCatalog(base.db, tableOf);
  return scoring ? { ...ports, catalog, scoring, actionPages } : { ...ports, catalog, actionPages };
}
