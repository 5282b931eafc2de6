import { addressOf, type AwsSettings } from '#domain/delivery/aws-messages.ts';
import type { DeliverableMessage } from '#domain/delivery/hold.ts';
import type { Connector, OpenConnection } from '#domain/delivery/ports.ts';
import type { SendResult } from '#domain/delivery/retry.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import { resultOfSendError } from './aws-send-errors.ts';

/** Requests of one batch in flight at once, as the webhook connector. */
const CONCURRENCY = 10;

/** A message with the text it is sent with. */
export type TextMessage = DeliverableMessage & { text: string };

/**
 * How one request leaves: the SDK client's `send` in AWS, the local outbound file in `npm start`.
 * It throws what the SDK throws; the connector classifies it.
 */
export type Transport<I> = (input: I, message: DeliverableMessage) => Promise<void>;

/**
 * The shape the AWS senders (SMS, e-mail, push) share: each message's address is read from the
 * customer's profile (one batch read for the batch), its request built by the type's connector and
 * sent through the transport, each error taken as a webhook status would be (aws-send-errors.ts). A
 * message with no usable address or no text fails for good with the reason; a profile read that
 * fails retries the batch.
 */
export abstract class AwsChannelConnector<S extends AwsSettings, I> implements Connector {
  protected abstract readonly type: S['type'];

  constructor(
    private readonly profiles: Pick<CustomerRepo, 'loadProfiles'>,
    private readonly transport: Transport<I>,
  ) {}

  /** The SDK input of one message to `address`. */
  protected abstract request(settings: S, message: TextMessage, address: string): I;

  /** The result of a message to `address` that the service accepted. */
  protected accepted(_address: string): SendResult {
    return { outcome: 'accepted' };
  }

  async send(connection: OpenConnection, messages: readonly DeliverableMessage[]): Promise<SendResult[]> {
    const settings = connection.settings;
    if (settings.type !== this.type) throw new Error(`a ${settings.type} connection is not ${this.type}`);
    let profiles: Awaited<ReturnType<CustomerRepo['loadProfiles']>>;
    try {
      profiles = await this.profiles.loadProfiles(connection.tenant, [...new Set(messages.map((m) => m.customerId))]);
    } catch {
      return messages.map(() => ({ outcome: 'retry', reason: 'profile-read' }));
    }
    const results: SendResult[] = new Array(messages.length);
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const i = next++;
        const message = messages[i]!;
        results[i] = await this.sendOne(settings as S, message, profiles.get(message.customerId));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, messages.length) }, worker));
    return results;
  }

  private async sendOne(
    settings: S,
    message: DeliverableMessage,
    profile: Parameters<typeof addressOf>[1],
  ): Promise<SendResult> {
    const to = addressOf(settings, profile);
    if (!to.ok) return { outcome: 'failed', reason: to.reason };
    if (!message.text?.trim()) return { outcome: 'failed', reason: 'no-text' };
    try {
      await this.transport(this.request(settings, message as TextMessage, to.address), message);
      return this.accepted(to.address);
    } catch (err) {
      return resultOfSendError(err);
    }
  }
}
