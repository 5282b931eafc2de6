import type { WebhookTargets } from '#domain/delivery/ports.ts';
import {
  checkWebhookTarget,
  hostOf,
  webhookUrlProblem,
  type TargetPolicy,
  type TargetVerdict,
} from '#domain/delivery/webhook-target.ts';
import { dnsResolver, type Resolver } from './resolver.ts';

/** The check a webhook URL passes when it is saved: its form, then every address its host resolves to. */
export class ResolvingWebhookTargets implements WebhookTargets {
  constructor(
    private readonly policy: TargetPolicy,
    private readonly resolve: Resolver = dnsResolver,
  ) {}

  async check(raw: string): Promise<TargetVerdict> {
    const problem = webhookUrlProblem(raw, this.policy);
    if (problem) return { ok: false, reason: problem };
    const url = new URL(raw);
    let addresses: string[];
    try {
      addresses = (await this.resolve(hostOf(url))).map((a) => a.address);
    } catch {
      return { ok: false, reason: `its host ${url.hostname} does not resolve` };
    }
    return checkWebhookTarget(url, addresses, this.policy);
  }
}
