import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { platformOfEndpoint, pushMessage } from './push-payload.ts';

const endpoint = (platform: string) =>
  `arn:aws:sns:af-south-1:123456789012:endpoint/${platform}/cvm-app/0b6e2c8a-6a0f-3a4e-9c43-3a7d0a1f2e11`;
const tags = { cvmTenant: 'consumer', cvmMessageId: 'm-1', cvmCustomerRef: 'Yy0x' };

describe('the SNS message of a mobile push', () => {
  it('names the platform of an endpoint ARN', () => {
    expect(platformOfEndpoint(endpoint('GCM'))).toBe('GCM');
    expect(platformOfEndpoint(endpoint('APNS_SANDBOX'))).toBe('APNS_SANDBOX');
    expect(platformOfEndpoint('arn:aws:sns:af-south-1:123456789012:app/GCM/cvm-app')).toBeUndefined();
  });

  it("carries the tags in FCM's v1 data and beside APNs' aps, the text in both and in default", () => {
    expect(JSON.parse(pushMessage(endpoint('GCM'), 'Double data', tags))).toEqual({
      default: 'Double data',
      GCM: JSON.stringify({ fcmV1Message: { message: { notification: { body: 'Double data' }, data: tags } } }),
    });
    const apns = JSON.parse(pushMessage(endpoint('APNS'), 'Double data', tags));
    expect(JSON.parse(apns.APNS)).toEqual({ ...tags, aps: { alert: 'Double data' } });
  });

  it('sends other platforms the default text alone', () => {
    expect(JSON.parse(pushMessage(endpoint('ADM'), 'Double data', tags))).toEqual({ default: 'Double data' });
  });

  it('round-trips any text and tags through the platform payload', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GCM', 'APNS', 'APNS_SANDBOX', 'APNS_VOIP'),
        fc.string(),
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => k !== 'aps' && k !== '__proto__'),
          fc.string(),
        ),
        (platform, text, data) => {
          const message = JSON.parse(pushMessage(endpoint(platform), text, data));
          expect(Object.keys(message).sort()).toEqual([platform, 'default'].sort());
          expect(message.default).toBe(text);
          const payload = JSON.parse(message[platform]);
          if (platform === 'GCM') expect(payload.fcmV1Message.message).toEqual({ notification: { body: text }, data });
          else expect(payload).toEqual({ ...data, aps: { alert: text } });
        },
      ),
    );
  });
});
