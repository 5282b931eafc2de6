import type { StoredLedger } from '#domain/contact-ledger.ts';
import type { CustomerRecord, Scores } from '#domain/customer.ts';
import type { StateView } from '#domain/customer-state.ts';
import type { ResponseStats } from '#domain/decisioning/learning.ts';
import type { TenantId } from '#domain/ids.ts';
import type { ContactLedgers } from '#domain/ports/contact-ledgers.ts';
import type { LearningStore } from '#domain/ports/decisions.ts';
import type { ScoringPort } from '#domain/ports/scoring.ts';
import type { Meter } from '#domain/usage-readings.ts';
import { effectiveScores } from '#domain/scoring/realtime-score.ts';
import type { CatalogFacts } from './catalog-facts.ts';
import { householdSince } from './settle.ts';

export interface InputPorts {
  scoring?: ScoringPort;
  learning: LearningStore;
  ledgers: ContactLedgers;
  meter?: Meter;
}

export interface Inputs {
  scores: Scores;
  learned: ReadonlyMap<string, ResponseStats>;
  /** The household's ledger, when the customer is in one and the policy caps households. */
  household?: StoredLedger;
}

const hasScores = (s: Scores | undefined): s is Scores => !!s && (!!s.churn || !!s.crossSell || !!s.nps);

/**
 * What a decision needs beside the customer's own items, fetched at once since none waits on
 * another: scores (computed now, and metered, for a customer without stored ones), the learned
 * take-up rates of the customer's segment, and the household's ledger (eventually consistent: a
 * stale one loses the commit's race and is read again).
 */
export const gatherInputs =
  (ports: InputPorts) =>
  async (
    tenant: TenantId,
    record: CustomerRecord,
    state: StateView | undefined,
    segment: string,
    now: Date,
    catalog: CatalogFacts,
  ): Promise<Inputs> => {
    const householdId = catalog.policy.household ? record.householdId : undefined;
    // the real-time churn score where it is newer than the nightly one, as GET /v1/customers shows
    const stored = effectiveScores(record.scores, state);
    const [scores, learned, household] = await Promise.all([
      !hasScores(stored) && ports.scoring
        ? ports.scoring.score({ profile: record, ...(state ? { state } : {}) }).then((s) => {
            ports.meter?.meter(tenant, 'Score', 1);
            return s.scores;
          })
        : stored,
      ports.learning.stats(tenant, segment, catalog.actionIds),
      householdId
        ? ports.ledgers.household(
            tenant,
            householdId,
            { since: householdSince(now, catalog.policy), bounds: catalog.household, now },
            false,
          )
        : undefined,
    ]);
    return { scores, learned, ...(household ? { household } : {}) };
  };
