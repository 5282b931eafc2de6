import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoChannelConnections } from '#adapters/dynamo/channel-connections.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { localOutboundQueues } from '#adapters/local/local-outbound-queue.ts';
import { outboundQueueName } from '#adapters/sqs/queue-design.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { webhookRequest } from '#domain/delivery/webhook-request.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

const NOW = '2026-03-03T10:00:00.000Z';
let t: TestTables;
let dir: string;
let handler: (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;
const sent: { body: string; delayMs?: number }[] = [];

beforeAll(async () => {
  t = await testTables();
  dir = mkdtempSync(join(tmpdir(), 'cvm-sender-'));
  Object.assign(process.env, t.env, { CVM_LOCAL_DIR: dir, CVM_METER_DIR: dir, CVM_NOW: NOW, CVM_METER: 'local' });
  // the tenant's local outbound queue, as the runtime registers it: here it only records holds
  localOutboundQueues.set('acme', {
    sendEntries: async (e) => void sent.push(...e),
    changeVisibility: () => undefined,
  });
  handler = (await import('./deliver-outbound.ts')).handler as never;
});

const message = (n: number, over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  messageId: `m-${n}`,
  tenant: 'acme',
  customerId: `c-${n}`,
  channel: 'call-centre',
  actionId: 'care-health-check-call',
  kind: 'service',
  treatment: 'care',
  language: 'en',
  reason: { type: 'trigger', id: 'third-dropped-call' },
  createdAt: NOW,
  sendAfter: NOW,
  ...over,
});
const record = (body: unknown, queueTenant = 'acme'): SQSRecord => ({
  messageId: `rec-${Math.random()}`,
  receiptHandle: 'r:1',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 's',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:af-south-1:000000000000:${outboundQueueName(t.market, queueTenant)}`,
  awsRegion: 'af-south-1',
});
const invoke = (records: SQSRecord[]) =>
  handler({ Records: records }, { awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as Context);

describe('the sender handler', () => {
  it("hands a due message to the channel's default queue connection: the outbound file locally", async () => {
    const res = await invoke([record(message(1))]);
    expect(res.batchItemFailures).toEqual([]);
    const lines = readFileSync(join(dir, 'outbound', 'call-centre.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([message(1)]);
  });

  it("keeps a message's variant and params on their way to the channel and in a webhook's body", async () => {
    const varied = message(5, { variantId: 'B', params: { tone: 'warm', price: 79 } });
    expect((await invoke([record(varied)])).batchItemFailures).toEqual([]);
    const line = readFileSync(join(dir, 'outbound', 'call-centre.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((m) => m.messageId === 'm-5');
    expect(line).toEqual(varied);
    expect(JSON.parse(webhookRequest(line, ['whsec'], new Date(NOW)).body)).toMatchObject({
      variantId: 'B',
      params: { tone: 'warm', price: 79 },
    });
  });

  it('puts a message that is not due back on the queue and sends nothing', async () => {
    const later = message(2, { sendAfter: '2026-03-03T10:05:00.000Z' });
    const res = await invoke([record(later)]);
    expect(res.batchItemFailures).toEqual([]);
    expect(sent.map((e) => JSON.parse(e.body).messageId)).toEqual(['m-2']);
    expect(sent[0]!.delayMs).toBeGreaterThan(290_000);
    expect(readFileSync(join(dir, 'outbound', 'call-centre.jsonl'), 'utf8')).not.toContain('m-2');
  });

  it("fails a message of another tenant on this tenant's queue, and one that is not a message, and only those", async () => {
    const foreign = record(message(3, { tenant: 'globex' }));
    const garbage = record('{"not":"a message"}');
    const good = record(message(4));
    const res = await invoke([foreign, garbage, good]);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [foreign.messageId, garbage.messageId].sort(),
    );
    expect(readFileSync(join(dir, 'outbound', 'call-centre.jsonl'), 'utf8')).toContain('"m-4"');
    expect(existsSync(join(dir, 'outbound', 'globex'))).toBe(false);
  });
});

describe('an sms connection in the local runtime (no AWS)', () => {
  it('writes the SendTextMessage it would make to the outbound file and meters the segments', async () => {
    const db = documentClient({ endpoint: t.endpoint });
    const tableOf = (tenant: string) => t.tenantTables[tenant]!;
    await new DynamoCustomerRepo(db, tableOf).save(
      'acme',
      {
        customerId: 'c-9',
        version: 1,
        createdAt: NOW,
        updatedAt: NOW,
        consent: { sms: true },
        attributes: { msisdn: '+27821234567' },
      },
      undefined,
    );
    await new DynamoChannelConnections(db, tableOf).save(
      'acme',
      {
        channel: 'sms',
        settings: {
          type: 'sms',
          originationIdentity: 'CVMDEMO',
          configurationSetName: 'cvm',
          phoneAttribute: 'msisdn',
        },
        version: 1,
        createdAt: NOW,
        updatedAt: NOW,
      },
      0,
    );
    const sms = message(9, { channel: 'sms', customerId: 'c-9', text: 'Double data this weekend', kind: 'offer' });
    const res = await invoke([record({ ...sms, segments: 2 })]);
    expect(res.batchItemFailures).toEqual([]);
    const [line] = readFileSync(join(dir, 'outbound', 'sms.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(line).toEqual({
      ...sms,
      segments: 2,
      connection: 'sms',
      request: {
        DestinationPhoneNumber: '+27821234567',
        OriginationIdentity: 'CVMDEMO',
        MessageBody: 'Double data this weekend',
        MessageType: 'PROMOTIONAL',
        ConfigurationSetName: 'cvm',
        Context: { cvmTenant: 'acme', cvmMessageId: 'm-9', cvmCustomerRef: 'Yy05' },
      },
    });
    const readings = readFileSync(join(dir, 'metering.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(readings.filter((r) => r.name === 'SmsSegmentsSent')).toEqual([
      expect.objectContaining({ tenant: 'acme', count: 2, channel: 'sms', country: 'ZA' }),
    ]);
  });
});
