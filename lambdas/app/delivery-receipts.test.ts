import type { SNSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerIdOfRef, customerRefOf, receiptEventId, receiptOfNotification } from '#domain/delivery/receipts.ts';
import type { CvmEvent } from '#domain/events.ts';
import { ID_PATTERN } from '#domain/ids.ts';
import type { EventQueue } from '#domain/ports/events.ts';
import { validateEvents } from '#edge/events.ts';
import { forwardReceipts } from './delivery-receipts.ts';

const tags = { cvmTenant: 'consumer', cvmMessageId: 'a1b2c3d4e5f6', cvmCustomerRef: customerRefOf('cust:42.za') };

/** The End User Messaging SMS event record as its SNS event destination publishes it. */
const smsEvent = (over: Record<string, unknown>) => ({
  eventType: 'TEXT_DELIVERED',
  eventVersion: '1.0',
  eventTimestamp: 1772445600000,
  isFinal: true,
  originationPhoneNumber: '+27800000001',
  destinationPhoneNumber: '+27820000002',
  isoCountryCode: 'ZA',
  isInternationalSend: false,
  mcc: '655',
  mnc: '01',
  carrierName: 'Example Carrier',
  messageId: '862a8790-60c0-4430-9b2b-658bdexample',
  messageRequestTimestamp: 1772445598000,
  messageEncoding: 'GSM',
  messageType: 'PROMOTIONAL',
  messageStatus: 'DELIVERED',
  messageStatusDescription: 'Message has been accepted by phone',
  context: tags,
  totalMessageParts: 1,
  totalMessagePrice: 0.0118,
  totalCarrierFee: 0,
  ...over,
});

/** An SES event-publishing record (configuration set -> SNS). */
const sesEvent = (eventType: string, detail: Record<string, unknown>) => ({
  eventType,
  mail: {
    timestamp: '2026-03-02T10:00:00.000Z',
    source: 'offers@example.co.za',
    sourceArn: 'arn:aws:ses:af-south-1:123456789012:identity/example.co.za',
    sendingAccountId: '123456789012',
    messageId: '0102018e-ses-example',
    destination: ['customer@example.net'],
    headersTruncated: false,
    tags: {
      'ses:configuration-set': ['cvm-demo'],
      'ses:source-ip': ['192.0.2.1'],
      cvmTenant: [tags.cvmTenant],
      cvmMessageId: [tags.cvmMessageId],
      cvmCustomerRef: [tags.cvmCustomerRef],
    },
  },
  ...detail,
});

/** The SNS -> Lambda event around some channel events. */
const snsEvent = (...messages: unknown[]): SNSEvent => ({
  Records: messages.map((m, i) => ({
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:af-south-1:123456789012:cvm-demo-prod-receipts:5f1c',
    Sns: {
      Type: 'Notification',
      MessageId: `sns-${i}`,
      TopicArn: 'arn:aws:sns:af-south-1:123456789012:cvm-demo-prod-receipts',
      Subject: '',
      Message: typeof m === 'string' ? m : JSON.stringify(m),
      Timestamp: '2026-03-02T10:00:01.000Z',
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertUrl: 'https://sns.af-south-1.amazonaws.com/cert.pem',
      UnsubscribeUrl: 'https://sns.af-south-1.amazonaws.com/?Action=Unsubscribe',
      MessageAttributes: {},
    },
  })),
});

function memoryQueue(): EventQueue & { queued: Map<string, CvmEvent[]> } {
  const queued = new Map<string, CvmEvent[]>();
  return {
    queued,
    enqueue: async (tenant, events) => void queued.set(tenant, [...(queued.get(tenant) ?? []), ...events]),
  };
}

const forward = async (event: SNSEvent, tenants = ['consumer']) => {
  const events = memoryQueue();
  const outcome = await forwardReceipts({ events, tenants: new Set(tenants) })(event.Records.map((r) => r.Sns.Message));
  return { outcome, queued: events.queued };
};

describe('delivery receipts', () => {
  it('turn an SMS handset receipt into message.delivered for the tagged tenant, message and customer', async () => {
    const { queued, outcome } = await forward(snsEvent(smsEvent({})));
    expect(outcome).toEqual({ queued: { consumer: 1 }, ignored: {} });
    expect(queued.get('consumer')).toEqual([
      {
        eventId: receiptEventId('consumer', 'a1b2c3d4e5f6', 'delivered'),
        customerId: 'cust:42.za',
        type: 'message.delivered',
        occurredAt: '2026-03-02T10:00:00.000Z',
        data: { messageId: 'a1b2c3d4e5f6' },
      },
    ]);
    // exactly what POST /v1/events accepts
    expect(validateEvents(queued.get('consumer')!).rejected).toEqual([]);
  });

  it('turn a final SMS failure into message.failed and wait on events that are not final', async () => {
    const { queued, outcome } = await forward(
      snsEvent(
        smsEvent({ eventType: 'TEXT_PENDING', isFinal: false, messageStatus: 'PENDING' }),
        smsEvent({ eventType: 'TEXT_QUEUED', isFinal: false, messageStatus: 'QUEUED' }),
        smsEvent({ eventType: 'TEXT_CARRIER_UNREACHABLE', isFinal: true, messageStatus: 'CARRIER_UNREACHABLE' }),
      ),
    );
    expect(outcome.ignored).toEqual({ 'not-final': 2 });
    expect(queued.get('consumer')?.map((e) => e.type)).toEqual(['message.failed']);
  });

  it('count a final SUCCESSFUL (no handset receipt to come) as the same delivery a later DELIVERED is', () => {
    const a = receiptOfNotification(JSON.stringify(smsEvent({ eventType: 'TEXT_SUCCESSFUL', isFinal: true })));
    const b = receiptOfNotification(JSON.stringify(smsEvent({})));
    expect(a.kind === 'event' && b.kind === 'event' && a.event.eventId === b.event.eventId).toBe(true);
  });

  it('turn SES Delivery into message.delivered and Bounce, Reject, Rendering Failure into message.failed', async () => {
    const { queued, outcome } = await forward(
      snsEvent(
        sesEvent('Delivery', {
          delivery: {
            timestamp: '2026-03-02T10:00:02.000Z',
            processingTimeMillis: 1200,
            recipients: ['customer@example.net'],
            smtpResponse: '250 2.6.0 Message received',
            reportingMTA: 'a8-70.smtp-out.amazonses.com',
          },
        }),
        sesEvent('Bounce', {
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [{ emailAddress: 'customer@example.net', action: 'failed', status: '5.1.1' }],
            timestamp: '2026-03-02T10:00:03.000Z',
            feedbackId: '0102-bounce',
          },
        }),
        sesEvent('Reject', { reject: { reason: 'Bad content' } }),
        sesEvent('Open', { open: { timestamp: '2026-03-02T11:00:00.000Z' } }),
      ),
    );
    expect(outcome.ignored).toEqual({ 'not-final': 1 });
    expect(queued.get('consumer')?.map((e) => [e.type, e.occurredAt])).toEqual([
      ['message.delivered', '2026-03-02T10:00:02.000Z'],
      ['message.failed', '2026-03-02T10:00:03.000Z'],
      ['message.failed', '2026-03-02T10:00:00.000Z'],
    ]);
  });

  it('leave untagged, foreign-tenant and unparseable notifications out, counted by why', async () => {
    const { queued, outcome } = await forward(
      snsEvent(
        smsEvent({ context: { cvmTenant: 'consumer', cvmMessageId: 'm-1' } }), // no customer ref
        smsEvent({ context: { ...tags, cvmCustomerRef: '!!' } }),
        smsEvent({ context: { ...tags, cvmTenant: 'someone-else' } }),
        'not json',
        { AlarmName: 'an alarm on the same topic' },
      ),
    );
    expect(queued.size).toBe(0);
    expect(outcome.ignored).toEqual({ untagged: 2, 'unknown-tenant': 1, 'not-a-receipt': 2 });
  });

  it('carry any customer id through its tag reference, in the characters SES allows (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/).filter((s) => ID_PATTERN.test(s));
    fc.assert(
      fc.property(id, (customerId) => {
        const ref = customerRefOf(customerId);
        return /^[A-Za-z0-9_-]{1,256}$/.test(ref) && customerIdOfRef(ref) === customerId;
      }),
    );
  });
});
