import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '#domain/errors.ts';
import { anEvent } from '../../test-support/event-builders.ts';
import { SqsEventQueue } from './event-queue.ts';

const sqs = mockClient(SQSClient);
const queue = new SqsEventQueue(new SQSClient({ region: 'af-south-1' }), { acme: 'https://sqs/acme-events' });
const events = (n: number) => Array.from({ length: n }, () => anEvent('usage.voice', { seconds: 1 }));
const entriesSent = () => sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries ?? []);

beforeEach(() => sqs.reset());

describe('the SQS event queue', () => {
  it("sends batches of ten to the tenant's own queue with the tenant in the body", async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await queue.enqueue('acme', events(23));
    expect(
      entriesSent()
        .map((e) => e.length)
        .sort(),
    ).toEqual([10, 10, 3]);
    expect(
      sqs.commandCalls(SendMessageBatchCommand).every((c) => c.args[0].input.QueueUrl === 'https://sqs/acme-events'),
    ).toBe(true);
    expect(JSON.parse(entriesSent()[0]![0]!.MessageBody!)).toMatchObject({
      tenant: 'acme',
      event: { type: 'usage.voice' },
    });
  });

  it('retries only the entries SQS reports as failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [
          { Id: '1', Code: 'InternalError', SenderFault: false },
          { Id: '3', Code: 'InternalError', SenderFault: false },
        ],
      })
      .resolves({ Successful: [], Failed: [] });
    await queue.enqueue('acme', events(5));
    expect(entriesSent().map((e) => e.map((x) => x.Id))).toEqual([
      ['0', '1', '2', '3', '4'],
      ['1', '3'],
    ]);
  });

  it('gives up as unavailable (503) when entries keep failing, and refuses a tenant without a queue', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await expect(queue.enqueue('acme', events(1))).rejects.toBeInstanceOf(UnavailableError);
    await expect(queue.enqueue('globex', events(1))).rejects.toThrow(/no event queue/);
  });
});
