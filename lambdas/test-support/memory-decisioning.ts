import type { DecisionPorts, DecisioningSettings } from '#app/decisions.ts';
import type { Action } from '#domain/action.ts';
import type { Clock } from '#domain/clock.ts';
import { displayContacts } from '#domain/contact-ledger.ts';
import { DEFAULT_CONTACT_LIMITS } from '#domain/contact-policy.ts';
import { isDecisionId } from '#domain/decisioning/decision-id.ts';
import { offeredDecisionOf, type DecisionRecord } from '#domain/decisioning/decision-record.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { StoredStateView } from '#domain/customer-state.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { CustomerAggregate, CustomerRepo } from '#domain/ports/customers.ts';
import type { DecisionLog, LearningStore, VolumeCounter } from '#domain/ports/decisions.ts';
import { MemoryCustomerRepo } from './memory-customer-repo.ts';
import { MemoryLedgers } from './memory-ledgers.ts';
import { plainCopy } from './plain-copy.ts';

export const TEST_SETTINGS: DecisioningSettings = {
  defaultLanguage: 'en',
  policy: { timeZone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, ...DEFAULT_CONTACT_LIMITS },
  priorStrength: 20,
  thresholds: { droppedCalls: 3, highChurn: 0.5 },
  experiments: { id: 'global-1', controlPercent: 5, challengerPercent: 20 },
  serviceLevels: {
    platinum: 'dedicated-desk',
    gold: 'priority-queue',
    silver: 'standard-queue',
    bronze: 'self-service',
  },
  valueTiers: { platinum: 100, gold: 70, silver: 40 },
  decisionLogDays: 180,
  explainExcluded: 3,
};

/**
 * A logged decision as a contact item (channel, offered actions and kinds, each response once
 * reported): what the tests replay to check that no limit was ever passed, whatever the ledger kept.
 */
const contactItemOf = (r: DecisionRecord) => {
  const answered = new Map(r.responses.map((x) => [x.actionId, x]));
  return {
    id: r.decisionId,
    at: r.at,
    channel: r.channel,
    offers: r.actions.map((a) => {
      const x = answered.get(a.actionId);
      return { actionId: a.actionId, kind: a.kind, ...(x ? { response: x.response, respondedAt: x.at } : {}) };
    }),
  };
};

/** In-memory decision ports with the DynamoDB adapters' semantics (the log by id, versioned contact ledgers). */
export class MemoryDecisioning {
  readonly repo = new MemoryCustomerRepo();
  /** The contact ledgers, versioned. */
  readonly ledgers = new MemoryLedgers();
  readonly actions = new Map<string, Action>();
  /** The decision log: full records by id. */
  readonly entries = new Map<string, DecisionRecord>();
  /** Each customer's records in the order they were logged (the clock only moves forward). */
  readonly byCustomer = new Map<string, DecisionRecord[]>();
  readonly states = new Map<string, StoredStateView>();
  readonly learned = new Map<string, { trials: number; successes: number }>();
  readonly volumes = new Map<string, number>();
  private seq = 0;

  constructor(
    readonly clock: Clock,
    readonly settings: DecisioningSettings = TEST_SETTINGS,
  ) {}

  ports(): DecisionPorts {
    const self = this;
    const customers: CustomerRepo = Object.assign(Object.create(this.repo) as CustomerRepo, {
      async load(tenant: string, id: string): Promise<CustomerAggregate> {
        const agg = await self.repo.load(tenant, id);
        const ledger = self.ledgers.copy(`C#${id}`);
        const state = self.states.get(id);
        return { ...agg, ledger, contacts: displayContacts(ledger.ledger), ...(state ? { state } : {}) };
      },
    });
    let listed: Action[] | undefined;
    const catalog: ActionCatalog = {
      get: async (_t, id) => this.actions.get(id),
      // one array until the catalog changes, as the container's cached catalog hands it out
      list: async () => {
        if (!listed || listed.length !== this.actions.size || listed.some((a) => this.actions.get(a.actionId) !== a))
          listed = [...this.actions.values()];
        return listed;
      },
      put: async (_t, a) => void this.actions.set(a.actionId, a),
      remove: async (_t, id) => this.actions.delete(id),
    };
    const copy = (r: DecisionRecord): DecisionRecord => plainCopy(r);
    const log: DecisionLog = {
      record: async (_t, r) => {
        const stored = copy(r);
        this.entries.set(r.decisionId, stored);
        const list = this.byCustomer.get(r.customerId) ?? [];
        list.push(stored);
        this.byCustomer.set(r.customerId, list);
      },
      find: async (_t, id) => {
        const r = isDecisionId(id) ? this.entries.get(id) : undefined;
        return r ? copy(r) : undefined;
      },
      findOffered: async (_t, id) => {
        const r = isDecisionId(id) ? this.entries.get(id) : undefined;
        return r ? offeredDecisionOf(r) : undefined;
      },
      recordResponse: async (_t, d, actionId, response, at) => {
        const stored = this.entries.get(d.decisionId);
        if (!stored) return 'not-found';
        if (!stored.actions.some((a) => a.actionId === actionId)) return 'not-offered';
        const earlier = stored.responses.find((r) => r.actionId === actionId);
        if (earlier) return { duplicateOf: { response: earlier.response, at: earlier.at } };
        stored.responses.push({ actionId, response, at });
        return 'recorded';
      },
    };
    const learning: LearningStore = {
      stats: async () => new Map(this.learned),
      add: async (_t, actionId, _s, success) => {
        const s = this.learned.get(actionId) ?? { trials: 0, successes: 0 };
        this.learned.set(actionId, { trials: s.trials + 1, successes: s.successes + (success ? 1 : 0) });
      },
    };
    const volume: VolumeCounter = {
      reserve: async (_t, actionId, day, perDay) => {
        const key = `${actionId}#${day}`;
        const n = this.volumes.get(key) ?? 0;
        if (n >= perDay) return false;
        this.volumes.set(key, n + 1);
        return true;
      },
    };
    return {
      customers,
      catalog,
      log,
      ledgers: this.ledgers,
      learning,
      volume,
      clock: this.clock,
      randomId: () => (++this.seq).toString(36).padStart(8, '0'),
      settings: this.settings,
    };
  }

  /** Every logged decision that offered something, as a contact item (all customers' when none is named). */
  contactItems(customerId?: string) {
    return [...this.entries.values()]
      .filter((r) => r.actions.length > 0 && (customerId === undefined || r.customerId === customerId))
      .map(contactItemOf);
  }

  async addCustomer(record: Partial<CustomerRecord> & { customerId: string }, tenant = 'acme') {
    await this.repo.save(
      tenant,
      { version: 1, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z', ...record },
      undefined,
    );
  }
}
