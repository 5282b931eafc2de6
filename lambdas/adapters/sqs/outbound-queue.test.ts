import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '#domain/triggers.ts';
import { SqsDeliveryQueue } from './delivery-queue.ts';
import { SqsOutboundQueue } from './outbound-queue.ts';

const sqs = mockClient(SQSClient);
const client = new SQSClient({ region: 'af-south-1' });
const urls = { acme: 'https://sqs/acme-outbound', globex: 'https://sqs/globex-outbound' };
const message = (tenant: string, channel: 'sms' | 'call-centre', n: number): OutboundMessage => ({
  messageId: `${tenant}-${n}`,
  tenant,
  customerId: `c-${n}`,
  channel,
  actionId: 'a',
  kind: 'service',
  treatment: 't',
  language: 'en',
  reason: { type: 'trigger', id: 'x' },
  createdAt: '2026-03-03T10:00:00Z',
  sendAfter: '2026-03-03T10:00:00Z',
});

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe("the tenant's outbound queue", () => {
  it("takes each message to its own tenant's queue with the channel as a message attribute", async () => {
    await new SqsOutboundQueue(client, urls).send([
      message('acme', 'sms', 1),
      message('globex', 'call-centre', 2),
      message('acme', 'call-centre', 3),
    ]);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    const acme = calls.find((c) => c.QueueUrl === urls.acme)!;
    expect(acme.Entries!.map((e) => [JSON.parse(e.MessageBody!).messageId, e.MessageAttributes])).toEqual([
      ['acme-1', { channel: { DataType: 'String', StringValue: 'sms' } }],
      ['acme-3', { channel: { DataType: 'String', StringValue: 'call-centre' } }],
    ]);
    expect(calls.find((c) => c.QueueUrl === urls.globex)!.Entries).toHaveLength(1);
    await expect(new SqsOutboundQueue(client, urls).send([message('initech', 'sms', 4)])).rejects.toThrow(
      /no outbound queue/,
    );
  });

  it('holds messages with a delay in whole seconds of at most 15 minutes', async () => {
    await new SqsDeliveryQueue(client, urls).hold('acme', [
      { message: message('acme', 'sms', 1), delaySeconds: 2.2 },
      { message: message('acme', 'sms', 2), delaySeconds: 5000 },
    ]);
    const entries = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries!;
    expect(entries.map((e) => e.DelaySeconds)).toEqual([3, 900]);
  });

  it("retries a received message by changing its visibility, so SQS's receive count carries on", async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    await new SqsDeliveryQueue(client, urls).retryAfter('acme', 'receipt-1', 29.5);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input).toEqual({
      QueueUrl: urls.acme,
      ReceiptHandle: 'receipt-1',
      VisibilityTimeout: 30,
    });
  });
});
