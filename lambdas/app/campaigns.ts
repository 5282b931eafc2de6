import {
  assignMember,
  COST_PER_CONTROL_MEMBER_USD,
  COST_PER_TREATMENT_MEMBER_USD,
  durationSeconds,
  estimatedCostUsd,
  FINAL_STATUSES,
  inAudience,
  type CampaignRecord,
  type CampaignSpec,
  type CampaignStatus,
  type RuleSettings,
} from '#domain/campaign/campaign.ts';
import { fromNanoUsd, NO_BUDGET_USE } from '#domain/campaign/budget.ts';
import type { SignalThresholds } from '#domain/decisioning/signals.ts';
import type { CampaignStore, RunScheduler, WorkflowStarter } from '#domain/campaign/ports.ts';
import { audienceRetentionErrors, responseWindowErrors } from '#domain/campaign/retention.ts';
import { scheduleErrors, type CampaignSchedule } from '#domain/campaign/schedule.ts';
import type { Clock } from '#domain/clock.ts';
import { ACCEPT_DAYS, ledgerRecords } from '#domain/contact-ledger.ts';
import { contactAllowed, type ContactPolicy } from '#domain/contact-policy.ts';
import { ConflictError, InvalidInputError, NotFoundError, type FieldError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { Meter } from '#domain/usage-readings.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import type { ProfileScan, ScannedCustomer } from '#domain/ports/scoring.ts';
import { treatmentText, type Action } from '#domain/action.ts';
import type { AuditLog } from '#domain/audit.ts';
import { countryOfNumber } from '#domain/cost/calling-codes.ts';
import { sendingCostOf, SENDING_METER, UNKNOWN_DESTINATION } from '#domain/cost/sending-prices.ts';
import { addressOf } from '#domain/delivery/aws-messages.ts';
import { DEFAULT_SETTINGS, isAwsSending, type ConnectionType } from '#domain/delivery/connection.ts';
import type { ChannelConnectionStore } from '#domain/delivery/ports.ts';
import { smsSegments } from '#domain/delivery/sms-segments.ts';
import { treatmentForCustomer } from '#domain/decisioning/variants.ts';
import { recordChange, type Actor } from './audit-trail.ts';
import { readyAudience, uploadedAudienceSegment } from './audiences.ts';
import type { AudienceStore } from '#domain/campaign/audience-ports.ts';

export interface CampaignPorts {
  campaigns: CampaignStore;
  catalog: ActionCatalog;
  starter: WorkflowStarter;
  /** Starts scheduled campaigns' runs when due; without it a campaign with a schedule cannot be created. */
  scheduler?: RunScheduler;
  /** Uploaded audiences (`audience: {audienceId}`); without it such a campaign is refused. */
  audiences?: AudienceStore;
  customers: CustomerRepo;
  scan: ProfileScan;
  clock: Clock;
  randomId: () => string;
  policy: ContactPolicy;
  /** The decision path's signal thresholds: audience and pilot rules read `signals` as eligibility does. */
  thresholds?: SignalThresholds;
  /**
   * Market config `retention.decisionLogDays`: a longer response window is refused, since a
   * contact answered through its decision after the decision expired would not count.
   */
  decisionLogDays?: number;
  /** Parallel-scan segments a preview reads at once. */
  previewSegments: number;
  audit?: AuditLog;
  /** Per-tenant metering: one WorkflowExecution per campaign workflow started. */
  meter?: Meter;
  /** What the preview prices sending with: the tenant's connection of the channel and the market's country. */
  sending?: {
    connections: Pick<ChannelConnectionStore, 'get'>;
    /** ISO 3166-1 alpha-2: SMS segments are priced at its price (the market's, whatever a number's country). */
    country?: string;
    defaultLanguage: string;
  };
}

/**
 * The catalog actions of a spec, or a 400 naming what cannot run: `actionIds` (unknown, or no
 * treatment on the channel), a response window the retention cannot measure, an uploaded audience
 * expired or expiring before a run of the schedule.
 */
async function actionsOf(
  ports: Pick<CampaignPorts, 'catalog' | 'audiences' | 'clock' | 'decisionLogDays'>,
  tenant: TenantId,
  spec: CampaignSpec,
): Promise<Action[]> {
  const now = ports.clock.now();
  const errors: FieldError[] = [];
  if ('audienceId' in spec.audience) {
    const { audienceId } = spec.audience;
    const audience = await readyAudience(ports.audiences, tenant, audienceId, now);
    errors.push(...audienceRetentionErrors(audienceId, audience.retainedUntil, spec.schedule, now));
  }
  const actions: Action[] = [];
  for (const [i, id] of spec.actionIds.entries()) {
    const action = await ports.catalog.get(tenant, id);
    if (!action) errors.push({ field: `actionIds.${i}`, message: `no action ${id} in the catalog` });
    else if (!action.treatments[spec.channel])
      errors.push({ field: `actionIds.${i}`, message: `action ${id} has no ${spec.channel} treatment` });
    else actions.push(action);
  }
  const window = durationSeconds(spec.responseWindow);
  if (window === undefined)
    errors.push({
      field: 'responseWindow',
      message: 'an ISO 8601 duration in weeks, days, hours, minutes or seconds, e.g. P7D',
    });
  else if (ports.decisionLogDays !== undefined)
    errors.push(...responseWindowErrors(window, { decisionLogDays: ports.decisionLogDays, acceptDays: ACCEPT_DAYS }));
  if (errors.length) throw new InvalidInputError('the campaign cannot run as asked', errors);
  return actions;
}

/** What audience and pilot rules read beside the customer. */
const ruleSettingsOf = (ports: Pick<CampaignPorts, 'policy' | 'thresholds'>): RuleSettings => ({
  timeZone: ports.policy.timeZone,
  ...(ports.thresholds ? { thresholds: ports.thresholds } : {}),
});

/** Every audience member of a spec (the whole table scanned in segments, or the listed ids). */
async function* audienceOf(
  ports: Pick<
    CampaignPorts,
    'scan' | 'customers' | 'clock' | 'previewSegments' | 'policy' | 'thresholds' | 'audiences'
  >,
  tenant: TenantId,
  spec: CampaignSpec,
): AsyncIterable<ScannedCustomer> {
  const now = ports.clock.now();
  if ('audienceId' in spec.audience) {
    const audience = await readyAudience(ports.audiences, tenant, spec.audience.audienceId, now);
    const read = { audiences: ports.audiences!, customers: ports.customers };
    for (let s = 0; s < ports.previewSegments; s++)
      yield* uploadedAudienceSegment(read, tenant, audience, s, ports.previewSegments);
    return;
  }
  if ('customerIds' in spec.audience) {
    const ids = [...new Set(spec.audience.customerIds)];
    for (let i = 0; i < ids.length; i += 100) {
      const profiles = await ports.customers.loadProfiles(tenant, ids.slice(i, i + 100));
      for (const [customerId, record] of profiles) if (record !== 'erased') yield { customerId, record };
    }
    return;
  }
  const segments = ports.previewSegments;
  const rules = ruleSettingsOf(ports);
  const batches = await Promise.all(
    Array.from({ length: segments }, async (_, s) => {
      const found: ScannedCustomer[] = [];
      for await (const c of ports.scan.scanSegment(tenant, s, segments))
        if (inAudience(spec, c, now, rules)) found.push(c);
      return found;
    }),
  );
  for (const batch of batches) yield* batch;
}

export interface CampaignPreview {
  audience: number;
  control: number;
  treatment: number;
  pilot: { control: number; treatment: number };
  /** Treatment customers the contact policy would not contact now, by reason (none is contacted). */
  suppressedByPolicy: Record<string, number>;
  estimatedCost: {
    /** Platform and sending together. */
    usd: number;
    /** The platform's own AWS cost of the campaign (DynamoDB, Lambda, SQS). */
    platformUsd: number;
    perTreatmentMemberUsd: number;
    perControlMemberUsd: number;
    /** What AWS charges to send the messages (absent when the preview has no sending settings). */
    sending?: SendingEstimate;
    note: string;
  };
}

/** The sending cost of a campaign's messages on its channel, as the tenant's connection sends them. */
export interface SendingEstimate {
  channel: string;
  connectionType: ConnectionType;
  /** Treatment members the contact policy allows now: the messages the campaign sends. */
  messages: number;
  /** What AWS bills: SMS segments (each message's treatment text measured), e-mails or pushes; 0 for the operator's own gateway. */
  units: number;
  unitUsd?: number;
  usd: number;
  country?: string;
  /** SMS: the segments by destination country and the price each got (the market's where the destination has none, flagged). */
  byDestination?: {
    country?: string;
    pricedAs?: string;
    units: number;
    unitUsd?: number;
    usd: number;
    fallback?: string;
  }[];
  note: string;
}

/** POST /v1/campaigns/preview: audience, groups and suppression as a dry run; contacts nobody. */
export const previewCampaign =
  (ports: CampaignPorts) =>
  async (tenant: TenantId, spec: CampaignSpec): Promise<CampaignPreview> => {
    const actions = await actionsOf(ports, tenant, spec);
    const now = ports.clock.now();
    const probe = {
      campaignId: `preview-${ports.randomId()}`,
      controlGroupPercent: spec.controlGroupPercent,
      pilot: spec.pilot,
    };
    const out: CampaignPreview = {
      audience: 0,
      control: 0,
      treatment: 0,
      pilot: { control: 0, treatment: 0 },
      suppressedByPolicy: {},
      estimatedCost: { usd: 0, platformUsd: 0, perTreatmentMemberUsd: 0, perControlMemberUsd: 0, note: '' },
    };
    const sending = ports.sending;
    const connection = sending
      ? ((await sending.connections.get(tenant, spec.channel))?.settings ?? DEFAULT_SETTINGS)
      : undefined;
    const connectionType = connection?.type;
    let messages = 0;
    let units = 0;
    /** SMS segments by the destination country of each member's number, as the sender will price them. */
    const smsByDestination: Record<string, number> = {};
    for await (const c of audienceOf(ports, tenant, spec)) {
      const m = assignMember(tenant, probe, c, now, ruleSettingsOf(ports));
      out.audience++;
      out[m.group]++;
      if (m.phase === 'pilot') out.pilot[m.group]++;
      if (m.group !== 'treatment') continue;
      const agg = await ports.customers.load(tenant, c.customerId);
      const history = ledgerRecords(agg.ledger.ledger);
      let reason: string | undefined;
      let chosen: Action | undefined;
      for (const action of actions) {
        const v = contactAllowed(
          history,
          { action, channel: spec.channel, direction: 'outbound', consent: c.record.consent, now },
          ports.policy,
          { deferQuietHours: true },
        );
        if (v.allowed) {
          reason = undefined;
          chosen = action;
          break;
        }
        reason ??= v.reason.code;
      }
      if (reason) out.suppressedByPolicy[reason] = (out.suppressedByPolicy[reason] ?? 0) + 1;
      if (chosen && sending) {
        messages++;
        const listed = chosen.treatments[spec.channel]!;
        // the member's own variant, whose text may take more segments than the treatment's
        const key = { tenant, customerId: c.customerId, actionId: chosen.actionId };
        const treatment = { ...listed, ...treatmentForCustomer(listed, key) };
        if (connection?.type === 'sms') {
          const segments = smsSegments(treatmentText(treatment, c.record.language, sending.defaultLanguage) ?? '');
          const to = addressOf(connection, c.record);
          const destination = (to.ok && countryOfNumber(to.address)) || UNKNOWN_DESTINATION;
          smsByDestination[destination] = (smsByDestination[destination] ?? 0) + segments;
          units += segments;
        } else units += 1;
      }
    }
    const platformUsd = estimatedCostUsd(out.treatment, out.control);
    const estimate =
      sending && connectionType
        ? sendingEstimate(spec.channel, connectionType, messages, units, sending.country, smsByDestination)
        : undefined;
    out.estimatedCost = {
      usd: Math.round((platformUsd + (estimate?.usd ?? 0)) * 1e4) / 1e4,
      platformUsd,
      perTreatmentMemberUsd: COST_PER_TREATMENT_MEMBER_USD,
      perControlMemberUsd: COST_PER_CONTROL_MEMBER_USD,
      ...(estimate ? { sending: estimate } : {}),
      note:
        'platform: DynamoDB writes/reads, Lambda, SQS per member (lambdas/domain/campaign/campaign.ts); ' +
        (estimate
          ? 'sending: what AWS bills per message or SMS segment (lambdas/domain/cost/sending-prices.ts, third-party transcriptions of the AWS price pages)'
          : 'sending costs are not included'),
    };
    return out;
  };

const round4 = (usd: number) => Math.round(usd * 1e4) / 1e4;

/**
 * The sending cost of `messages` on a channel connected as `type`: AWS prices an SMS segment by
 * the destination country of the member's number (`smsByDestination`: segments by country), at the
 * market `country`'s price where the number's country is unknown or has no price (flagged in
 * `byDestination`), an e-mail or a push per message; a webhook or the hand-off queue sends through
 * the operator, which AWS does not bill. SMS texts are measured as written: a placeholder rendered
 * wider adds segments the estimate does not see.
 */
function sendingEstimate(
  channel: string,
  type: ConnectionType,
  messages: number,
  units: number,
  country: string | undefined,
  smsByDestination: Record<string, number>,
): SendingEstimate {
  const base = { channel, connectionType: type, messages, ...(country ? { country } : {}) };
  if (!isAwsSending(type))
    return { ...base, units: 0, usd: 0, note: `a ${type} connection sends through the operator: no AWS sending cost` };
  const { lines, usd } = sendingCostOf({ [SENDING_METER[type]]: units }, country, smsByDestination);
  if (lines.length === 0) return { ...base, units, usd: 0, note: 'nothing to send' };
  const prices = new Set(lines.map((l) => l.unitUsd));
  const [unitUsd] = prices.size === 1 ? prices : [undefined];
  if (type !== 'sms') {
    const what = type === 'email' ? 'e-mails' : 'push notifications';
    return {
      ...base,
      units,
      unitUsd: unitUsd!,
      usd: round4(usd),
      note: `${units} ${what} at $${unitUsd} each (${lines[0]!.confirmation} price)`,
    };
  }
  const byDestination = lines.map((l) => ({
    ...(l.destination ? { country: l.destination } : {}),
    ...(l.pricedAs ? { pricedAs: l.pricedAs } : {}),
    units: l.units,
    ...(l.unitUsd !== undefined ? { unitUsd: l.unitUsd } : {}),
    usd: round4(l.usd),
    ...(l.fallback ? { fallback: l.fallback } : {}),
  }));
  const each = byDestination.map(
    (d) =>
      `${d.units} to ${d.country ?? 'an unknown country'} ${d.unitUsd !== undefined ? `at $${d.unitUsd}` : 'not estimated'}${d.fallback ? ` (${d.fallback})` : ''}`,
  );
  return {
    ...base,
    units,
    ...(unitUsd !== undefined ? { unitUsd } : {}),
    usd: round4(usd),
    byDestination,
    note: `${units} SMS segments by the destination country of each member's number: ${each.join('; ')} (${[...new Set(lines.map((l) => l.confirmation ?? 'no'))].join(', ')} price)`,
  };
}

const newCampaignId = (now: Date, random: string) => `cmp-${now.getTime().toString(36)}-${random.slice(0, 8)}`;

/** POST /v1/campaigns: stores the campaign and starts its workflow. */
export const createCampaign =
  (ports: CampaignPorts) =>
  async (
    tenant: TenantId,
    spec: CampaignSpec,
    actor?: Actor,
  ): Promise<{ campaignId: string; status: CampaignStatus }> => {
    await actionsOf(ports, tenant, spec);
    if (spec.schedule) return scheduleCampaign(ports, tenant, spec, spec.schedule, actor);
    const now = ports.clock.now().toISOString();
    const campaignId = newCampaignId(ports.clock.now(), ports.randomId());
    const record: CampaignRecord = {
      ...spec,
      campaignId,
      status: 'running',
      phase: 'preparing',
      createdAt: now,
      updatedAt: now,
      // the counters exist from the start: the store's hold compares them without a missing case
      ...(spec.budget ? { budgetUse: NO_BUDGET_USE } : {}),
    };
    await ports.campaigns.create(tenant, record);
    const { executionId } = await ports.starter.start({ tenant, campaignId });
    ports.meter?.meter(tenant, 'WorkflowExecution', 1);
    await ports.campaigns.update(tenant, campaignId, { executionId });
    await recordChange(ports, tenant, actor, 'campaign.started', campaignId, { after: auditedSpec(spec) });
    return { campaignId, status: 'running' };
  };

/**
 * A campaign with a schedule waits (`scheduled`) for its first run, which the scheduler starts at
 * `startAt` (campaign-runs.ts); nothing is selected or contacted before.
 */
async function scheduleCampaign(
  ports: CampaignPorts,
  tenant: TenantId,
  spec: CampaignSpec,
  schedule: CampaignSchedule,
  actor: Actor | undefined,
): Promise<{ campaignId: string; status: CampaignStatus }> {
  if (!ports.scheduler) throw new Error('campaign schedules need a run scheduler');
  const clock = ports.clock.now();
  // a run waits its response window twice (pilot, then roll-out)
  const runSeconds = 2 * (durationSeconds(spec.responseWindow) ?? 0);
  const errors = scheduleErrors(schedule, clock, runSeconds);
  if (errors.length) throw new InvalidInputError('the campaign cannot be scheduled as asked', errors);
  const now = clock.toISOString();
  const campaignId = newCampaignId(clock, ports.randomId());
  const first = new Date(schedule.startAt);
  await ports.campaigns.create(tenant, {
    ...spec,
    campaignId,
    status: 'scheduled',
    phase: 'preparing',
    createdAt: now,
    updatedAt: now,
    runCount: 0,
    nextRunAt: first.toISOString(),
  });
  try {
    await ports.scheduler.schedule({ tenant, campaignId, at: first });
  } catch (err) {
    // a campaign whose first run nobody will start would wait for ever
    await ports.campaigns.update(
      tenant,
      campaignId,
      { status: 'failed', reason: 'the run could not be scheduled', updatedAt: now },
      undefined,
      ['nextRunAt'],
    );
    throw err;
  }
  await recordChange(ports, tenant, actor, 'campaign.scheduled', campaignId, { after: auditedSpec(spec) });
  return { campaignId, status: 'scheduled' };
}

/**
 * The spec as the audit trail keeps it: a list audience by its size, not its customer ids, so
 * no audit entry about a campaign names a customer (erasure redacts only entries about one).
 */
const auditedSpec = (spec: CampaignSpec) =>
  'customerIds' in spec.audience ? { ...spec, audience: { customerIdCount: spec.audience.customerIds.length } } : spec;

export type CampaignView = Pick<
  CampaignRecord,
  | 'campaignId'
  | 'name'
  | 'status'
  | 'phase'
  | 'goal'
  | 'channel'
  | 'actionIds'
  | 'createdAt'
  | 'updatedAt'
  | 'counts'
  | 'phases'
  | 'reason'
  | 'report'
  | 'budget'
  | 'schedule'
  | 'nextRunAt'
  | 'runs'
> & {
  /** What the run has counted against its budget. */
  spent?: { contacts: number; costUsd: number };
};

/** GET /v1/campaigns/{id}; another tenant's campaign is not found (it lives in another table). */
export const getCampaign =
  (ports: Pick<CampaignPorts, 'campaigns'>) =>
  async (tenant: TenantId, campaignId: string): Promise<CampaignView> => {
    const c = await ports.campaigns.get(tenant, campaignId);
    if (!c) throw new NotFoundError(`campaign ${campaignId} not found`);
    const {
      audience: _a,
      executionId: _e,
      controlGroupPercent: _c,
      pilot: _p,
      responseWindow: _r,
      budgetUse,
      budgetReached: _br,
      runId: _ri,
      runCount: _rc,
      ...view
    } = c;
    return {
      ...view,
      report: c.report,
      ...(budgetUse ? { spent: { contacts: budgetUse.contacts, costUsd: fromNanoUsd(budgetUse.nanoUsd) } } : {}),
    } as CampaignView;
  };

export const listCampaigns =
  (ports: Pick<CampaignPorts, 'campaigns'>) => (tenant: TenantId, opts: { limit?: number; nextToken?: string }) =>
    ports.campaigns.list(tenant, opts);

const MOVES: Record<'pause' | 'resume' | 'cancel', { from: CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['scheduled', 'running', 'paused'], to: 'cancelled' },
};

/**
 * POST /v1/campaigns/{id}/pause|resume|cancel: the workflow holds or ends at its next gate; a
 * cancelled scheduled campaign starts no more runs (its next run's schedule is deleted).
 */
export const controlCampaign =
  (ports: Pick<CampaignPorts, 'campaigns' | 'clock' | 'audit' | 'scheduler'>) =>
  async (
    tenant: TenantId,
    campaignId: string,
    move: keyof typeof MOVES,
    actor?: Actor,
  ): Promise<{ campaignId: string; status: CampaignStatus }> => {
    const c = await ports.campaigns.get(tenant, campaignId);
    if (!c) throw new NotFoundError(`campaign ${campaignId} not found`);
    const { from, to } = MOVES[move];
    if (c.status === to) return { campaignId, status: to };
    if (FINAL_STATUSES.has(c.status) || !from.includes(c.status))
      throw new ConflictError(`campaign ${campaignId} is ${c.status}; it cannot ${move}`);
    if (
      !(await ports.campaigns.update(
        tenant,
        campaignId,
        { status: to, updatedAt: ports.clock.now().toISOString() },
        from,
        move === 'cancel' && c.nextRunAt ? ['nextRunAt'] : [],
      ))
    ) {
      const now = await ports.campaigns.get(tenant, campaignId);
      throw new ConflictError(`campaign ${campaignId} is ${now?.status ?? 'gone'}; it cannot ${move}`);
    }
    // the status already stops a run that fires meanwhile: the schedule goes so nothing fires
    if (move === 'cancel' && c.nextRunAt)
      await ports.scheduler?.cancel({ tenant, campaignId, at: new Date(c.nextRunAt) });
    await recordChange(ports, tenant, actor, `campaign.${move}`, campaignId, {
      before: { status: c.status },
      after: { status: to },
    });
    return { campaignId, status: to };
  };
