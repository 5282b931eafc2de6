import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Clock } from '#domain/clock.ts';
import type { DeliverableMessage } from '#domain/delivery/hold.ts';
import type { Connector, OpenConnection } from '#domain/delivery/ports.ts';
import { resultOfStatus, retryAfterOf, type SendResult } from '#domain/delivery/retry.ts';
import { webhookRequest, type WebhookRequest } from '#domain/delivery/webhook-request.ts';
import { checkWebhookTarget, hostOf, type TargetPolicy } from '#domain/delivery/webhook-target.ts';
import { dnsResolver, type ResolvedAddress, type Resolver } from './resolver.ts';

/** Requests of one batch in flight at once. */
const CONCURRENCY = 10;

/**
 * A socket lookup that answers the addresses already checked, so the connection goes where the
 * check looked (no second resolution a rebinding DNS could answer differently). Node asks for every
 * address (`all`) when it may try both families; each of them passed the check.
 */
const pinnedLookup =
  (targets: ResolvedAddress[]): LookupFunction =>
  (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (err: null, addresses: { address: string; family: number }[]) => void)(null, targets);
    else callback(null, targets[0]!.address, targets[0]!.family);
  };

type Attempt = { status: number; retryAfter?: string } | { error: 'timeout' | 'connection' };

/**
 * The `webhook` connection: each message POSTed as JSON to the tenant's URL, signed with its
 * secrets. Before each request the host is resolved again and every address checked against the
 * target policy (a name may resolve elsewhere than when it was saved); the socket connects to the
 * checked address. Redirects are not followed.
 */
export class WebhookConnector implements Connector {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY }),
  };

  constructor(private readonly opts: { policy: TargetPolicy; clock: Clock; resolve?: Resolver }) {}

  async send(connection: OpenConnection, messages: readonly DeliverableMessage[]): Promise<SendResult[]> {
    const settings = connection.settings;
    if (settings.type !== 'webhook') throw new Error(`a ${settings.type} connection is not a webhook`);
    const results: SendResult[] = new Array(messages.length);
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const i = next++;
        results[i] = await this.sendOne(settings.url, settings.timeoutMs, connection.secrets, messages[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, messages.length) }, worker));
    return results;
  }

  private async sendOne(
    raw: string,
    timeoutMs: number,
    secrets: string[],
    message: DeliverableMessage,
  ): Promise<SendResult> {
    const url = new URL(raw);
    let resolved: ResolvedAddress[];
    try {
      resolved = await (this.opts.resolve ?? dnsResolver)(hostOf(url));
    } catch {
      return { outcome: 'retry', reason: 'dns' };
    }
    const verdict = checkWebhookTarget(
      url,
      resolved.map((a) => a.address),
      this.opts.policy,
    );
    if (!verdict.ok) return { outcome: 'failed', reason: 'target-refused' };
    if (secrets.length === 0) return { outcome: 'failed', reason: 'no-secret' };
    const attempt = await this.post(url, resolved, webhookRequest(message, secrets, this.opts.clock.now()), timeoutMs);
    if ('error' in attempt) return { outcome: 'retry', reason: attempt.error };
    return resultOfStatus(attempt.status, retryAfterOf(attempt.retryAfter, this.opts.clock.now()));
  }

  /** One POST within `timeoutMs` in all (connect, send, status line): its status, or why there is none. */
  private post(url: URL, targets: ResolvedAddress[], request: WebhookRequest, timeoutMs: number): Promise<Attempt> {
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Attempt>((resolve) => {
      const signal = AbortSignal.timeout(timeoutMs);
      const req = client.request(
        url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          agent: this.agents[url.protocol as 'http:' | 'https:'],
          lookup: pinnedLookup(targets),
          signal,
        },
        (res) => {
          // the status is the answer; the body is read and dropped so the socket can be reused
          res.resume();
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) });
        },
      );
      req.on('error', () => resolve({ error: signal.aborted ? 'timeout' : 'connection' }));
      req.end(request.body);
    });
  }

  /** Closes pooled sockets (tests; a Lambda container just freezes). */
  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }
}
