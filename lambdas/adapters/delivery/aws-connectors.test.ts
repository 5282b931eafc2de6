import {
  ConflictException,
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { BadRequestException, SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { EndpointDisabledException, InternalErrorException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CustomerRecord } from '#domain/customer.ts';
import type { ConnectionSettings } from '#domain/delivery/connection.ts';
import type { DeliverableMessage } from '#domain/delivery/hold.ts';
import type { OpenConnection } from '#domain/delivery/ports.ts';
import { EmailConnector, emailTransport, sesClient } from './email-connector.ts';
import { PushConnector, pushTransport, snsClient } from './push-connector.ts';
import { SmsConnector, smsClient, smsTransport } from './sms-connector.ts';

const APP = 'arn:aws:sns:af-south-1:123456789012:app/GCM/cvm-app';
const ENDPOINT = `${APP.replace(':app/', ':endpoint/')}/0b6e2c8a-6a0f-3a4e-9c43-3a7d0a1f2e11`;
const meta = { $metadata: { httpStatusCode: 400 }, message: 'no' };

const profile = (customerId: string, attributes: CustomerRecord['attributes']): CustomerRecord => ({
  customerId,
  version: 1,
  createdAt: '2026-03-01T00:00:00Z',
  updatedAt: '2026-03-01T00:00:00Z',
  attributes,
});
const profiles = new Map<string, CustomerRecord | 'erased'>([
  ['c-1', profile('c-1', { msisdn: '+27821234567', email: 'thandi@example.co.za', pushEndpoint: ENDPOINT })],
  ['c-2', profile('c-2', { msisdn: '+27827654321', email: 'sipho@example.co.za', pushEndpoint: ENDPOINT })],
  ['c-none', profile('c-none', {})],
  ['c-gone', 'erased'],
]);
let reads = 0;
const repo = {
  loadProfiles: async (_tenant: string, ids: string[]) => {
    reads++;
    return new Map(ids.flatMap((id) => (profiles.has(id) ? [[id, profiles.get(id)!] as const] : [])));
  },
};

const message = (customerId: string, over: Partial<DeliverableMessage> = {}): DeliverableMessage => ({
  messageId: `m-${customerId}`,
  tenant: 'consumer',
  customerId,
  channel: 'sms',
  actionId: 'bigger-bundle-offer',
  kind: 'offer',
  treatment: 'bundle',
  language: 'en',
  text: 'Your data bundle\nDouble data this weekend. Reply YES.',
  reason: { type: 'trigger', id: 'data-80-percent' },
  createdAt: '2026-03-03T06:00:00Z',
  sendAfter: '2026-03-03T06:00:00Z',
  ...over,
});
const connection = (settings: ConnectionSettings): OpenConnection => ({
  tenant: 'consumer',
  channel: 'sms',
  settings,
  secrets: [],
});

const sms = mockClient(PinpointSMSVoiceV2Client);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
beforeEach(() => {
  sms.reset();
  ses.reset();
  sns.reset();
  reads = 0;
});

describe('the sms connector', () => {
  const connector = new SmsConnector(repo, smsTransport(smsClient('af-south-1')));
  const settings = connection({
    type: 'sms',
    originationIdentity: 'CVMDEMO',
    configurationSetName: 'cvm-demo',
    phoneAttribute: 'msisdn',
  });

  it("sends SendTextMessage to the profile's number, tagged for the receipts, reading profiles once a batch", async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'aws-1' });
    const results = await connector.send(settings, [message('c-1'), message('c-2', { kind: 'service' })]);
    // each names its number's country: the segments are priced where they went
    expect(results).toEqual([
      { outcome: 'accepted', destinationCountry: 'ZA' },
      { outcome: 'accepted', destinationCountry: 'ZA' },
    ]);
    expect(reads).toBe(1);
    expect(sms.commandCalls(SendTextMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        DestinationPhoneNumber: '+27821234567',
        OriginationIdentity: 'CVMDEMO',
        MessageBody: 'Your data bundle\nDouble data this weekend. Reply YES.',
        MessageType: 'PROMOTIONAL',
        ConfigurationSetName: 'cvm-demo',
        Context: { cvmTenant: 'consumer', cvmMessageId: 'm-c-1', cvmCustomerRef: 'Yy0x' },
      },
      expect.objectContaining({ DestinationPhoneNumber: '+27827654321', MessageType: 'TRANSACTIONAL' }),
    ]);
  });

  it('retries throttling and quotas, fails an opted-out or invalid number for good, and names the reason', async () => {
    sms
      .on(SendTextMessageCommand, { DestinationPhoneNumber: '+27821234567' })
      .rejectsOnce(new ThrottlingException(meta))
      .rejectsOnce(new ServiceQuotaExceededException(meta))
      .rejectsOnce(new ConflictException({ ...meta, Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' } as never))
      .rejectsOnce(new ValidationException({ ...meta, Reason: 'INVALID_PARAMETER' } as never));
    const one = async () => (await connector.send(settings, [message('c-1')]))[0];
    expect(await one()).toEqual({ outcome: 'retry', reason: 'ThrottlingException' });
    expect(await one()).toEqual({ outcome: 'retry', reason: 'ServiceQuotaExceededException' });
    expect(await one()).toEqual({ outcome: 'failed', reason: 'ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    expect(await one()).toEqual({ outcome: 'failed', reason: 'ValidationException:INVALID_PARAMETER' });
  });

  it('retries a 5xx and an error with no answer at all (a dropped connection)', async () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
    sms
      .on(SendTextMessageCommand)
      .rejectsOnce(Object.assign(new Error('bad gateway'), { name: 'Unknown', $metadata: { httpStatusCode: 502 } }))
      .rejectsOnce(reset);
    expect(await connector.send(settings, [message('c-1'), message('c-2')])).toEqual([
      { outcome: 'retry', reason: 'Unknown' },
      { outcome: 'retry', reason: 'connection' },
    ]);
  });

  it('fails a customer with no number, erased or without text before calling AWS', async () => {
    const results = await connector.send(settings, [
      message('c-none'),
      message('c-gone'),
      message('c-unknown'),
      message('c-1', { text: undefined }),
    ]);
    expect(results).toEqual([
      { outcome: 'failed', reason: 'no-address' },
      { outcome: 'failed', reason: 'erased' },
      { outcome: 'failed', reason: 'no-profile' },
      { outcome: 'failed', reason: 'no-text' },
    ]);
    expect(sms.commandCalls(SendTextMessageCommand)).toHaveLength(0);
  });

  it('retries the batch when the profiles cannot be read', async () => {
    const failing = new SmsConnector(
      {
        loadProfiles: async () => {
          throw new Error('ProvisionedThroughputExceeded');
        },
      },
      smsTransport(smsClient('af-south-1')),
    );
    expect(await failing.send(settings, [message('c-1')])).toEqual([{ outcome: 'retry', reason: 'profile-read' }]);
  });

  it('refuses a connection of another type', async () => {
    await expect(connector.send(connection({ type: 'queue' }), [message('c-1')])).rejects.toThrow(/not sms/);
  });
});

describe('the email connector', () => {
  const connector = new EmailConnector(repo, emailTransport(sesClient('af-south-1')));
  const settings = connection({
    type: 'email',
    fromAddress: 'offers@cvm.example.com',
    configurationSetName: 'cvm-demo',
    addressAttribute: 'email',
  });

  it('sends SendEmail from the connection to the profile address, subject and body from the treatment, tagged', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    expect(await connector.send(settings, [message('c-1', { channel: 'email' })])).toEqual([{ outcome: 'accepted' }]);
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input).toEqual({
      FromEmailAddress: 'offers@cvm.example.com',
      Destination: { ToAddresses: ['thandi@example.co.za'] },
      Content: {
        Simple: {
          Subject: { Data: 'Your data bundle', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Double data this weekend. Reply YES.', Charset: 'UTF-8' } },
        },
      },
      ConfigurationSetName: 'cvm-demo',
      EmailTags: [
        { Name: 'cvmTenant', Value: 'consumer' },
        { Name: 'cvmMessageId', Value: 'm-c-1' },
        { Name: 'cvmCustomerRef', Value: 'Yy0x' },
      ],
    });
  });

  it('retries TooManyRequests and fails a rejected message', async () => {
    ses.on(SendEmailCommand).rejectsOnce(new TooManyRequestsException(meta)).rejectsOnce(new BadRequestException(meta));
    expect(await connector.send(settings, [message('c-1'), message('c-2')])).toEqual([
      { outcome: 'retry', reason: 'TooManyRequestsException' },
      { outcome: 'failed', reason: 'BadRequestException' },
    ]);
  });
});

describe('the push connector', () => {
  const connector = new PushConnector(repo, pushTransport(snsClient('af-south-1')));
  const settings = connection({ type: 'push', platformApplicationArn: APP, endpointAttribute: 'pushEndpoint' });

  it("publishes to the device endpoint in the profile, the receipt tags in the FCM payload's data", async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    expect(await connector.send(settings, [message('c-1', { channel: 'push' })])).toEqual([{ outcome: 'accepted' }]);
    const { input } = sns.commandCalls(PublishCommand)[0]!.args[0];
    const text = 'Your data bundle\nDouble data this weekend. Reply YES.';
    // SNS delivers no message attributes to a mobile endpoint: none are sent
    expect(input).toEqual({ TargetArn: ENDPOINT, MessageStructure: 'json', Message: expect.any(String) });
    const sent = JSON.parse(input.Message!);
    expect(sent.default).toBe(text);
    expect(JSON.parse(sent.GCM).fcmV1Message.message).toEqual({
      notification: { body: text },
      data: { cvmTenant: 'consumer', cvmMessageId: 'm-c-1', cvmCustomerRef: 'Yy0x' },
    });
  });

  it("fails a disabled endpoint and one of another application, retries SNS's own failure", async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(new EndpointDisabledException(meta))
      .rejectsOnce(new InternalErrorException({ ...meta, $metadata: { httpStatusCode: 500 } }));
    const other = new PushConnector(repo, pushTransport(snsClient('af-south-1')));
    expect(await connector.send(settings, [message('c-1'), message('c-2')])).toEqual([
      { outcome: 'failed', reason: 'EndpointDisabledException' },
      { outcome: 'retry', reason: 'InternalErrorException' },
    ]);
    const elsewhere = connection({
      type: 'push',
      platformApplicationArn: APP.replace('cvm-app', 'other-app'),
      endpointAttribute: 'pushEndpoint',
    });
    expect(await other.send(elsewhere, [message('c-1')])).toEqual([
      { outcome: 'failed', reason: 'endpoint-of-another-application' },
    ]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });
});
