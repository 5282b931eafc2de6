import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoContactLedgers } from '#adapters/dynamo/contact-ledger.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoDecisionLog } from '#adapters/dynamo/decision-log.ts';
import { DynamoLearningStore } from '#adapters/dynamo/learning-store.ts';
import { DynamoVolumeCounter } from '#adapters/dynamo/volume-counter.ts';
import type { DecisionPorts } from '#app/decisions.ts';
import type { DecisionRecord } from '#domain/decisioning/decision-record.ts';

/**
 * Decision ports on the DynamoDB adapters as the decisions function builds them (one tenant table,
 * the decision log in its own table), for benches that measure real decisions on DynamoDB Local.
 * `logged` holds every decision recorded, in order: what a bench reads back or rewrites afterwards.
 */
export function dynamoDecisionPorts(
  db: DynamoDBDocumentClient,
  tables: { tenant: string; decisions: string },
  given: Pick<DecisionPorts, 'catalog' | 'clock' | 'settings'>,
): { ports: DecisionPorts; logged: DecisionRecord[] } {
  const tableOf = () => tables.tenant;
  const log = new DynamoDecisionLog(db, { tenant: tableOf, decisions: () => tables.decisions });
  const logged: DecisionRecord[] = [];
  const ports: DecisionPorts = {
    ...given,
    customers: new DynamoCustomerRepo(db, tableOf),
    log: {
      record: async (tenant, r) => {
        logged.push(r);
        await log.record(tenant, r);
      },
      find: log.find.bind(log),
      findOffered: log.findOffered.bind(log),
      recordResponse: log.recordResponse.bind(log),
    },
    ledgers: new DynamoContactLedgers(db, tableOf),
    learning: new DynamoLearningStore(db, tableOf, 60_000),
    volume: new DynamoVolumeCounter(db, tableOf, 8),
    randomId: () => Math.random().toString(36).slice(2, 14),
  };
  return { ports, logged };
}
