/**
 * The SNS `Publish` message of a mobile push: `MessageStructure: 'json'`, a `default` text and the
 * payload of the endpoint's platform, whose custom data carries the receipt tags (`cvmTenant`,
 * `cvmMessageId`, `cvmCustomerRef`) to the app.
 *
 * Not message attributes: SNS uses those only to help build a mobile push and does not deliver
 * them to the endpoint, and sends none with a JSON message structure
 * (https://docs.aws.amazon.com/sns/latest/dg/SNSMessageAttributes.html). Custom data goes in the
 * platform's payload instead (https://docs.aws.amazon.com/sns/latest/dg/mobile-push-send-custommessage.html):
 * FCM's v1 `data`, and for APNs keys beside `aps`, as Apple's payload reference places custom keys.
 */

/** The platform of an SNS endpoint ARN (`arn:aws:sns:…:endpoint/GCM/app/id` → GCM). */
export const platformOfEndpoint = (endpointArn: string): string | undefined =>
  /:endpoint\/([A-Z_]+)\//.exec(endpointArn)?.[1];

/** The platform's own payload, or undefined where SNS's `default` text is all it gets. */
function platformPayload(platform: string, text: string, data: Record<string, string>): object | undefined {
  // FCM carries Apple devices too; its v1 message keeps data values strings, as ours are
  if (platform === 'GCM') return { fcmV1Message: { message: { notification: { body: text }, data } } };
  if (platform.startsWith('APNS')) return { ...data, aps: { alert: text } };
  return undefined;
}

/**
 * The `Message` of a JSON-structured Publish to `endpointArn`: `default` for any platform, and for
 * FCM and APNs (sandbox, VoIP) their payload with `data`. Other platforms (ADM, Baidu, WNS, MPNS)
 * get the text alone: SNS sends `default` where no key names the platform.
 */
export function pushMessage(endpointArn: string, text: string, data: Record<string, string>): string {
  const platform = platformOfEndpoint(endpointArn);
  const payload = platform ? platformPayload(platform, text, data) : undefined;
  return JSON.stringify({ default: text, ...(payload ? { [platform!]: JSON.stringify(payload) } : {}) });
}
