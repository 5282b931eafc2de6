import type { Channel } from './customer.ts';
import type { CustomerId } from './ids.ts';

/** The event types of DESIGN.md ("Events"), with the data each carries. */
export const EVENT_TYPES = [
  'usage.data',
  'usage.voice',
  'network.call_dropped',
  'billing.topup',
  'billing.invoice',
  'care.contact',
  'survey.nps',
  'offer.response',
  'message.delivered',
  'message.failed',
  'message.inbound',
  'customer.churned',
  'customer.acquired',
  'customer.exit_interview',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EXIT_REASONS = ['price', 'network', 'service', 'competitor-offer', 'moved', 'other'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];
export const OFFER_RESPONSES = ['accepted', 'declined', 'ignored'] as const;

export interface EventData {
  'usage.data': { usedMb: number; bundleMb: number };
  'usage.voice': { seconds: number };
  'network.call_dropped': { cellId?: string };
  'billing.topup': { amount: number };
  'billing.invoice': { amount: number; paid: boolean };
  'care.contact': { reason: string; channel: Channel; resolvedFirstContact: boolean };
  'survey.nps': { score: number; verbatim?: string };
  'offer.response': { actionId: string; decisionId?: string; response: (typeof OFFER_RESPONSES)[number] };
  'message.delivered': { messageId: string };
  'message.failed': { messageId: string };
  /** A customer's reply on a channel; an opt-out keyword (delivery/opt-out.ts) sets that channel's consent to false. */
  'message.inbound': { channel: Channel; text: string };
  'customer.churned': { reason: ExitReason; detail?: string };
  'customer.acquired': { channel: string; tariff: string; promotion?: string; dealer?: string };
  /** The answer of the exit interview the call centre held after a churn: why, and to whom the customer went. */
  'customer.exit_interview': { reason: ExitReason; destinationOperator?: string; detail?: string };
}

/** One validated event: `eventId` is unique per tenant and takes effect once. */
export type CvmEvent = {
  [T in EventType]: { eventId: string; customerId: CustomerId; type: T; occurredAt: string; data: EventData[T] };
}[EventType];

export type EventOf<T extends EventType> = Extract<CvmEvent, { type: T }>;
