import type { Channel } from '#domain/customer.ts';
import type { ChannelConnection } from '#domain/delivery/connection.ts';
import type { ChannelConnectionStore } from '#domain/delivery/ports.ts';
import type { TenantId } from '#domain/ids.ts';

/**
 * Connections as the sender reads them: cached in the container for a short TTL, so a batch costs
 * no read per channel; a change (a new URL, a rotated secret) reaches the sender within the TTL.
 */
export class CachedConnections implements Pick<ChannelConnectionStore, 'get'> {
  private readonly entries = new Map<string, { at: number; connection: Promise<ChannelConnection | undefined> }>();

  constructor(
    private readonly inner: Pick<ChannelConnectionStore, 'get'>,
    private readonly ttlMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get(tenant: TenantId, channel: Channel): Promise<ChannelConnection | undefined> {
    const key = `${tenant}\u0000${channel}`;
    const hit = this.entries.get(key);
    if (hit && this.nowMs() - hit.at < this.ttlMs) return hit.connection;
    const connection = this.inner.get(tenant, channel);
    this.entries.set(key, { at: this.nowMs(), connection });
    connection.catch(() => this.entries.delete(key));
    return connection;
  }
}
