import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';

describe('the served OpenAPI document', () => {
  it('describes the webhook request a gateway receives: body, signature and message id headers, and how answers are taken', () => {
    const doc = openApiDocument() as {
      webhooks: Record<
        string,
        { post: { parameters: { name: string; in: string }[]; responses: Record<string, unknown> } }
      >;
      components: { schemas: Record<string, unknown> };
    };
    const hook = doc.webhooks['outboundMessage']!.post;
    expect(hook.parameters.map((p) => [p.in, p.name])).toEqual([
      ['header', 'x-cvm-signature'],
      ['header', 'x-cvm-message-id'],
    ]);
    expect(Object.keys(hook.responses).sort()).toEqual(['200', '400', '429', '500']);
    expect(JSON.stringify(hook)).toContain('#/components/schemas/WebhookMessage');
    // the hand-off's shape plus a required segment count
    expect(JSON.stringify(doc.components.schemas['WebhookMessage'])).toBe(
      JSON.stringify({
        allOf: [
          { $ref: '#/components/schemas/OutboundMessage' },
          {
            type: 'object',
            properties: {
              segments: {
                type: 'integer',
                minimum: 1,
                description: 'SMS parts of the rendered text (GSM-7 160/153, UCS-2 70/67); 1 on other channels',
              },
            },
            required: ['segments'],
          },
        ],
      }),
    );
  });

  it('has the channels routes with their created, replaced and conflict statuses', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/v1/channels/{channel}']!['put']!.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '404', '409']),
    );
    expect(doc.paths['/v1/channels/{channel}/rotate-secret']!['post']).toBeDefined();
  });
});
