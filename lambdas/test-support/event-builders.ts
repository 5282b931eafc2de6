import type { CvmEvent, EventData, EventType } from '#domain/events.ts';

let seq = 0;
/** An event of `type` for `customerId`, `minutesAgo` before `now`, with a fresh id unless given. */
export function anEvent<T extends EventType>(
  type: T,
  data: EventData[T],
  opts: { customerId?: string; now?: Date | string; minutesAgo?: number; eventId?: string } = {},
): Extract<CvmEvent, { type: T }> {
  const now = new Date(opts.now ?? '2026-03-02T10:00:00Z');
  return {
    eventId: opts.eventId ?? `ev-${type}-${++seq}`,
    customerId: opts.customerId ?? 'c-1',
    type,
    occurredAt: new Date(now.getTime() - (opts.minutesAgo ?? 1) * 60_000).toISOString(),
    data,
  } as Extract<CvmEvent, { type: T }>;
}
