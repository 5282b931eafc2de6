import {
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  type SendTextMessageCommandInput,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { countryOfNumber } from '#domain/cost/calling-codes.ts';
import { receiptTagsOf, smsMessageType } from '#domain/delivery/aws-messages.ts';
import type { SmsSettings } from '#domain/delivery/connection.ts';
import type { SendResult } from '#domain/delivery/retry.ts';
import { AwsChannelConnector, type TextMessage, type Transport } from './aws-channel-connector.ts';

/** One retry in the SDK for a dropped connection; throttling waits on the queue's backoff instead. */
export const smsClient = (region?: string): PinpointSMSVoiceV2Client =>
  new PinpointSMSVoiceV2Client({ ...(region ? { region } : {}), maxAttempts: 2 });

export const smsTransport =
  (client: PinpointSMSVoiceV2Client): Transport<SendTextMessageCommandInput> =>
  async (input) => {
    await client.send(new SendTextMessageCommand(input));
  };

/**
 * The `sms` connection: AWS End User Messaging SMS `SendTextMessage` from the connection's
 * origination identity to the E.164 number in the profile attribute `phoneAttribute` (default
 * `msisdn`), through its configuration set (whose event destinations carry the receipts).
 * Marketing goes as PROMOTIONAL, service messages as TRANSACTIONAL. `Context` carries the receipt
 * tags `cvmTenant`, `cvmMessageId` and `cvmCustomerRef` (RECEIPT_TAGS), which come back in every SMS event.
 * An accepted message names its number's country: AWS prices its segments by destination.
 */
export class SmsConnector extends AwsChannelConnector<SmsSettings, SendTextMessageCommandInput> {
  protected readonly type = 'sms';

  protected request(settings: SmsSettings, message: TextMessage, phone: string): SendTextMessageCommandInput {
    return {
      DestinationPhoneNumber: phone,
      OriginationIdentity: settings.originationIdentity,
      MessageBody: message.text,
      MessageType: smsMessageType(message.kind),
      ConfigurationSetName: settings.configurationSetName,
      Context: receiptTagsOf(message),
    };
  }

  protected override accepted(phone: string): SendResult {
    const destinationCountry = countryOfNumber(phone);
    return { outcome: 'accepted', ...(destinationCountry ? { destinationCountry } : {}) };
  }
}
