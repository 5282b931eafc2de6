import { SendEmailCommand, type SendEmailCommandInput, SESv2Client } from '@aws-sdk/client-sesv2';
import { emailContent, receiptTagsOf } from '#domain/delivery/aws-messages.ts';
import type { EmailSettings } from '#domain/delivery/connection.ts';
import { AwsChannelConnector, type TextMessage, type Transport } from './aws-channel-connector.ts';

/** One retry in the SDK for a dropped connection; throttling waits on the queue's backoff instead. */
export const sesClient = (region?: string): SESv2Client =>
  new SESv2Client({ ...(region ? { region } : {}), maxAttempts: 2 });

export const emailTransport =
  (client: SESv2Client): Transport<SendEmailCommandInput> =>
  async (input) => {
    await client.send(new SendEmailCommand(input));
  };

const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });

/**
 * The `email` connection: SES v2 `SendEmail` from the connection's `fromAddress` (a verified
 * identity) to the address in the profile attribute `addressAttribute` (default `email`), plain
 * text: the treatment's first line is the subject, the rest the body. Sent through the
 * connection's configuration set, whose event destinations carry the receipts; `EmailTags`
 * `cvmTenant`, `cvmMessageId` and `cvmCustomerRef` (RECEIPT_TAGS) come back in every SES event.
 */
export class EmailConnector extends AwsChannelConnector<EmailSettings, SendEmailCommandInput> {
  protected readonly type = 'email';

  protected request(settings: EmailSettings, message: TextMessage, address: string): SendEmailCommandInput {
    const { subject, body } = emailContent(message.text);
    return {
      FromEmailAddress: settings.fromAddress,
      Destination: { ToAddresses: [address] },
      Content: { Simple: { Subject: utf8(subject), Body: { Text: utf8(body) } } },
      ConfigurationSetName: settings.configurationSetName,
      EmailTags: Object.entries(receiptTagsOf(message)).map(([Name, Value]) => ({ Name, Value })),
    };
  }
}
