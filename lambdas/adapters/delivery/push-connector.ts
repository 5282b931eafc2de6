import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { receiptTagsOf } from '#domain/delivery/aws-messages.ts';
import type { PushSettings } from '#domain/delivery/connection.ts';
import { pushMessage } from '#domain/delivery/push-payload.ts';
import { AwsChannelConnector, type TextMessage, type Transport } from './aws-channel-connector.ts';

/** One retry in the SDK for a dropped connection; throttling waits on the queue's backoff instead. */
export const snsClient = (region?: string): SNSClient =>
  new SNSClient({ ...(region ? { region } : {}), maxAttempts: 2 });

export const pushTransport =
  (client: SNSClient): Transport<PublishCommandInput> =>
  async (input) => {
    await client.send(new PublishCommand(input));
  };

/**
 * The `push` connection: SNS `Publish` of the treatment's text to the device endpoint ARN in the
 * profile attribute `endpointAttribute`, which must be an endpoint of the connection's platform
 * application. The receipt tags `cvmTenant`, `cvmMessageId` and `cvmCustomerRef` (RECEIPT_TAGS) ride in the
 * platform payload's custom data (push-payload.ts): SNS does not deliver message attributes to a
 * mobile endpoint (https://docs.aws.amazon.com/sns/latest/dg/SNSMessageAttributes.html). A disabled
 * endpoint (the app was uninstalled) fails for good.
 */
export class PushConnector extends AwsChannelConnector<PushSettings, PublishCommandInput> {
  protected readonly type = 'push';

  protected request(_settings: PushSettings, message: TextMessage, endpointArn: string): PublishCommandInput {
    return {
      TargetArn: endpointArn,
      MessageStructure: 'json',
      Message: pushMessage(endpointArn, message.text, receiptTagsOf(message)),
    };
  }
}
