import type { Action } from '#domain/action.ts';
import { campaignMessageId, type CampaignRecord } from '#domain/campaign/campaign.ts';
import type { StoredMember } from '#domain/campaign/ports.ts';
import { runMembersKey } from '#domain/campaign/schedule.ts';
import { isOutbound } from '#domain/contact-policy.ts';
import { isQuietTime, nextAllowedTime } from '#domain/contact-window.ts';
import { stateView } from '#domain/customer-state.ts';
import { MISSING_PLACEHOLDER, renderedContent, type MessageContent } from '#domain/delivery/message-content.ts';
import { UnavailableError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { CustomerAggregate, CustomerRepo } from '#domain/ports/customers.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { decide, type DecidedAction, type DecisionPorts } from '../decisions.ts';
import { CampaignTransientError, type StepContext } from './context.ts';

/** A customer repository that remembers the last customer it loaded (the one a decision read). */
function watchingLoads(repo: CustomerRepo): { repo: CustomerRepo; last: () => CustomerAggregate | undefined } {
  let last: CustomerAggregate | undefined;
  const watched = new Proxy(repo, {
    get(target, prop) {
      if (prop === 'load')
        return async (...args: Parameters<CustomerRepo['load']>) => (last = await target.load(...args));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { repo: watched, last: () => last };
}

/** The decided treatment's text rendered for the customer the decision read, with its SMS parts. */
function contentOf(
  c: CampaignRecord,
  best: DecidedAction,
  actions: readonly Action[],
  customer: CustomerAggregate | undefined,
  at: Date,
): MessageContent {
  if (best.treatment.text === undefined) return {};
  return renderedContent(c.channel, best.treatment.text, {
    profile: customer?.record,
    // the state as GET /v1/customers shows it, measured when the message is due
    state: stateView(customer?.state, at),
    action: actions.find((a) => a.actionId === best.actionId),
  });
}

/** The member's hand-off to delivery, due when the contact policy allows (`sendAfter`). */
function handOff(
  tenant: TenantId,
  c: CampaignRecord,
  m: StoredMember,
  best: DecidedAction,
  content: Exclude<MessageContent, { missing: string[] }>,
  createdAt: string,
  at: Date,
): OutboundMessage {
  return {
    // each run's hand-off is its own message (consumers would drop a second run's as a repeat)
    messageId: campaignMessageId(tenant, runMembersKey(c.campaignId, c.runId), m.customerId),
    tenant,
    customerId: m.customerId,
    channel: c.channel,
    actionId: best.actionId,
    ...(best.variantId ? { variantId: best.variantId } : {}),
    kind: best.kind,
    treatment: best.treatment.templateKey,
    language: best.treatment.language,
    ...(content.text !== undefined ? { text: content.text } : {}),
    ...(best.treatment.params ? { params: best.treatment.params } : {}),
    ...(content.segments !== undefined ? { segments: content.segments } : {}),
    reason: { type: 'campaign', id: c.campaignId },
    createdAt,
    sendAfter: at.toISOString(),
  };
}

/**
 * Decides one member under the contact policy (deferred through quiet hours) among the campaign's
 * actions and moves it selected -> contacted with its hand-off, or to suppressed or failed.
 * `contacting` learns the chosen action, language and variant of a member that moved to contacted.
 */
export async function decideAndHandOff(
  ctx: StepContext,
  tenant: TenantId,
  c: CampaignRecord,
  actions: Action[],
  shard: number,
  m: StoredMember,
  contacting: (action: Action, language: string | undefined, variantId: string | undefined) => void,
): Promise<OutboundMessage | 'suppressed' | 'failed'> {
  const { ports } = ctx;
  const { campaigns } = ports;
  const policy = ports.decisions.settings.policy;
  let at = ports.clock.now();
  // An outbound campaign defers through quiet hours instead of losing the customer.
  if (isOutbound(c.channel, 'outbound', policy) && isQuietTime(at, policy.timeZone, policy.quietHours))
    at = nextAllowedTime(at, policy.timeZone, policy.quietHours);
  // the campaign's actions are the only candidates; the whole catalog still bounds the ledger;
  // the customer the decision read is what the text is rendered from (no second read)
  const read = watchingLoads(ports.decisions.customers);
  const deferred: DecisionPorts = { ...ports.decisions, customers: read.repo, clock: { now: () => at } };
  const suppress = async (reason: string, decisionId: string) => {
    await campaigns.transition(tenant, runMembersKey(c.campaignId, c.runId), shard, 'selected', {
      ...m,
      status: 'suppressed',
      reason,
      decisionId,
      at: at.toISOString(),
    });
    return 'suppressed' as const;
  };
  try {
    const decision = await decide(deferred)(tenant, {
      customerId: m.customerId,
      channel: c.channel,
      limit: 1,
      context: { direction: 'outbound', campaignId: c.campaignId },
      onlyActions: actions.map((a) => a.actionId),
    });
    const best = decision.actions[0];
    if (!best) {
      const reason = decision.excluded[0]?.reasons[0]?.code ?? decision.reasons[0]?.code ?? 'no-action';
      return suppress(reason, decision.decisionId);
    }
    const content = contentOf(c, best, actions, read.last(), at);
    if ('missing' in content) {
      await suppress(MISSING_PLACEHOLDER, decision.decisionId);
      ports.recordDelivery?.({ tenant, counts: { [c.channel]: { skipped: { [MISSING_PLACEHOLDER]: 1 } } } });
      return 'suppressed';
    }
    const message = handOff(tenant, c, m, best, content, ctx.stamp(), at);
    const moved = await campaigns.transition(tenant, runMembersKey(c.campaignId, c.runId), shard, 'selected', {
      ...m,
      status: 'contacted',
      actionId: best.actionId,
      // the report counts the member's response for the variant it was sent
      ...(best.variantId ? { variantId: best.variantId } : {}),
      messageId: message.messageId,
      decisionId: decision.decisionId,
      at: at.toISOString(),
      message,
    });
    // Metered where the member moves to contacted (once): a retried shard hands it off again
    // under the same messageId, which is no new contact.
    if (!moved) return 'suppressed';
    ports.meter?.meter(tenant, 'CampaignContact', 1);
    const chosen = actions.find((a) => a.actionId === best.actionId);
    if (chosen) contacting(chosen, read.last()?.record?.language, best.variantId);
    return message;
  } catch (err) {
    if (err instanceof UnavailableError || err instanceof CampaignTransientError)
      throw new CampaignTransientError(err.message);
    // One customer's failure (erased meanwhile, bad data) goes to the failure list, not the campaign.
    await campaigns.transition(tenant, runMembersKey(c.campaignId, c.runId), shard, 'selected', {
      ...m,
      status: 'failed',
      reason: (err instanceof Error && err.name) || 'Error',
      at: at.toISOString(),
    });
    return 'failed';
  }
}
