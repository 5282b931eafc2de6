import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerRecord } from '../customer.ts';
import { addressOf, emailContent, RECEIPT_TAGS, receiptTagsOf, smsMessageType } from './aws-messages.ts';
import type { EmailSettings, PushSettings, SmsSettings } from './connection.ts';

const APP = 'arn:aws:sns:af-south-1:123456789012:app/GCM/cvm-app';
const ENDPOINT = 'arn:aws:sns:af-south-1:123456789012:endpoint/GCM/cvm-app/5e3e9847-3183-3f18-a7e8-671c3a57d4b3';
const sms: SmsSettings = {
  type: 'sms',
  originationIdentity: 'CVMDEMO',
  configurationSetName: 'cvm',
  phoneAttribute: 'msisdn',
};
const email: EmailSettings = {
  type: 'email',
  fromAddress: 'offers@example.com',
  configurationSetName: 'cvm',
  addressAttribute: 'email',
};
const push: PushSettings = { type: 'push', platformApplicationArn: APP, endpointAttribute: 'pushEndpoint' };
const customer = (attributes: CustomerRecord['attributes']): CustomerRecord => ({
  customerId: 'c-1',
  version: 1,
  createdAt: '2026-03-01T00:00:00Z',
  updatedAt: '2026-03-01T00:00:00Z',
  attributes,
});

describe('where an AWS-sent message goes', () => {
  it('reads the address from the profile attribute the connection names, trimmed', () => {
    expect(addressOf(sms, customer({ msisdn: ' +27821234567 ' }))).toEqual({ ok: true, address: '+27821234567' });
    expect(addressOf(email, customer({ email: 'thandi@example.co.za' }))).toEqual({
      ok: true,
      address: 'thandi@example.co.za',
    });
    expect(addressOf(push, customer({ pushEndpoint: ENDPOINT }))).toEqual({ ok: true, address: ENDPOINT });
    expect(addressOf({ ...sms, phoneAttribute: 'mobile' }, customer({ msisdn: '+27821234567' }))).toEqual({
      ok: false,
      reason: 'no-address',
    });
  });

  it('names why there is none: erased, no profile, no attribute, a malformed one', () => {
    expect(addressOf(sms, 'erased')).toEqual({ ok: false, reason: 'erased' });
    expect(addressOf(sms, undefined)).toEqual({ ok: false, reason: 'no-profile' });
    expect(addressOf(sms, customer({}))).toEqual({ ok: false, reason: 'no-address' });
    expect(addressOf(sms, customer({ msisdn: 27821234567 }))).toEqual({ ok: false, reason: 'no-address' });
    expect(addressOf(sms, customer({ msisdn: '0821234567' }))).toEqual({ ok: false, reason: 'invalid-address' });
    expect(addressOf(email, customer({ email: 'a@b.com, c@d.com' }))).toEqual({
      ok: false,
      reason: 'invalid-address',
    });
    expect(addressOf(email, customer({ email: 'Thandi <t@example.com>' }))).toEqual({
      ok: false,
      reason: 'invalid-address',
    });
    expect(addressOf(push, customer({ pushEndpoint: APP }))).toEqual({ ok: false, reason: 'invalid-address' });
  });

  it("refuses a device endpoint of another platform application than the connection's", () => {
    const other = ENDPOINT.replace('/cvm-app/', '/other-app/');
    expect(addressOf(push, customer({ pushEndpoint: other }))).toEqual({
      ok: false,
      reason: 'endpoint-of-another-application',
    });
    // a name that merely starts like the application's is another application
    const longer = ENDPOINT.replace('/cvm-app/', '/cvm-app-2/');
    expect(addressOf(push, customer({ pushEndpoint: longer }))).toEqual({
      ok: false,
      reason: 'endpoint-of-another-application',
    });
  });

  it('takes only E.164 numbers for SMS, whatever the attribute holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const a = addressOf(sms, customer({ msisdn: s }));
        if (a.ok) expect(a.address).toMatch(/^\+[1-9]\d{6,14}$/);
      }),
    );
  });
});

describe('what an AWS-sent message carries', () => {
  it('tags it with tenant and message id under the names the receipts read', () => {
    expect(RECEIPT_TAGS).toEqual({ tenant: 'cvmTenant', messageId: 'cvmMessageId', customerRef: 'cvmCustomerRef' });
    const tags = receiptTagsOf({ tenant: 'consumer', messageId: 'm-1', customerId: 'cust:42.za' });
    expect(tags).toEqual({ cvmTenant: 'consumer', cvmMessageId: 'm-1', cvmCustomerRef: 'Y3VzdDo0Mi56YQ' });
    // SES tag values take letters, digits, _ and - only
    for (const value of Object.values(tags)) expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('sends marketing as promotional SMS and service messages as transactional', () => {
    expect(smsMessageType('offer')).toBe('PROMOTIONAL');
    expect(smsMessageType('retention')).toBe('PROMOTIONAL');
    expect(smsMessageType('service')).toBe('TRANSACTIONAL');
    expect(smsMessageType('information')).toBe('TRANSACTIONAL');
  });

  it("makes an e-mail treatment's first line the subject and the rest the body", () => {
    expect(emailContent('Your data bundle\n\nDouble data this weekend, reply YES.\n')).toEqual({
      subject: 'Your data bundle',
      body: 'Double data this weekend, reply YES.',
    });
    expect(emailContent('Double data this weekend')).toEqual({
      subject: 'Double data this weekend',
      body: 'Double data this weekend',
    });
  });

  it('never puts a line break in a subject', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', 'é') }), (text) => {
        expect(emailContent(text).subject).not.toMatch(/[\r\n]/);
      }),
    );
  });
});
