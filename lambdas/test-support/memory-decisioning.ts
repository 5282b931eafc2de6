import type { DecisionPorts, DecisioningSettings } from '#app/decisions.ts';
import type { Action } from '#domain/action.ts';
import type { Clock } from '#domain/clock.ts';
import { contactsOf, DEFAULT_CONTACT_LIMITS } from '#domain/contact-policy.ts';
import { MARKETING_KINDS } from '#domain/contact-window.ts';
import { parseDecisionId } from '#domain/decisioning/decision-id.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type {
  ActionCatalog,
  CustomerAggregate,
  CustomerRepo,
  DecisionLog,
  DecisionLogEntry,
  LearningStore,
  VolumeCounter,
} from '#domain/ports.ts';
import { MemoryCustomerRepo } from './memory-customer-repo.ts';

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

/** A logged decision as the DynamoDB adapter stores it under the customer (the ledger's item shape). */
const contactItemOf = (e: DecisionLogEntry) => ({
  id: e.decisionId,
  at: e.at,
  channel: e.channel,
  offers: e.offers.map((o) => ({ ...o })),
});

/** In-memory decision ports with the DynamoDB adapters' semantics (log items as contact history). */
export class MemoryDecisioning {
  readonly repo = new MemoryCustomerRepo();
  readonly actions = new Map<string, Action>();
  readonly entries = new Map<string, DecisionLogEntry>();
  /** Each customer's entries in the order they were logged (the clock only moves forward). */
  readonly byCustomer = new Map<string, DecisionLogEntry[]>();
  readonly states = new Map<string, Record<string, unknown>>();
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
      async load(tenant: string, id: string, opts: { contactsSince?: string } = {}): Promise<CustomerAggregate> {
        const agg = await self.repo.load(tenant, id);
        const all = self.byCustomer.get(id) ?? [];
        // the DynamoDB adapter's ranges: the policy window when asked, else the newest 23
        const since = opts.contactsSince;
        const chosen = since === undefined ? all.slice(-23) : all.filter((e) => e.at >= since);
        const contacts = chosen.reverse().map(contactItemOf);
        const state = self.states.get(id);
        return { ...agg, contacts, ...(state ? { state } : {}) };
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
    const log: DecisionLog = {
      record: async (_t, e) => {
        const copy = { ...e, offers: e.offers.map((o) => ({ ...o })) };
        this.entries.set(e.decisionId, copy);
        const list = this.byCustomer.get(e.customerId) ?? [];
        list.push(copy);
        this.byCustomer.set(e.customerId, list);
      },
      find: async (_t, id) => {
        const e = parseDecisionId(id) ? this.entries.get(id) : undefined;
        return e ? { ...e, offers: e.offers.map((o) => ({ ...o })) } : undefined;
      },
      householdContacts: async (_t, householdId, since) =>
        contactsOf(
          [...this.entries.values()]
            .filter(
              (e) =>
                e.householdId === householdId && e.at >= since && e.offers.some((o) => MARKETING_KINDS.has(o.kind)),
            )
            .map(contactItemOf),
        ),
      recordResponse: async (_t, e, actionId, response, at) => {
        const stored = this.entries.get(e.decisionId);
        if (!stored) return 'not-found';
        const offer = stored.offers.find((o) => o.actionId === actionId);
        if (!offer) return 'not-offered';
        if (offer.response) return 'duplicate';
        Object.assign(offer, { response, respondedAt: at });
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
      learning,
      volume,
      clock: this.clock,
      randomId: () => (++this.seq).toString(36).padStart(8, '0'),
      settings: this.settings,
    };
  }

  async addCustomer(record: Partial<CustomerRecord> & { customerId: string }, tenant = 'acme') {
    await this.repo.save(
      tenant,
      { version: 1, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z', ...record },
      undefined,
    );
  }
}
