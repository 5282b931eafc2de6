import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';

describe('the channel connections in the served OpenAPI document', () => {
  const doc = openApiDocument() as {
    paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: unknown }> } }>>;
    components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
  };

  it('takes every connection type in PUT /v1/channels/{channel}', () => {
    const body = JSON.stringify(doc.paths['/v1/channels/{channel}']!['put']!.requestBody);
    for (const type of ['QueueConnection', 'WebhookConnection', 'SmsConnection', 'EmailConnection', 'PushConnection'])
      expect(body).toContain(`#/components/schemas/${type}`);
  });

  it('requires what each AWS sender needs and names its address attribute', () => {
    const schema = (name: string) => doc.components.schemas[name]!;
    expect(schema('SmsConnection').required?.sort()).toEqual(['configurationSetName', 'originationIdentity', 'type']);
    expect(schema('EmailConnection').required?.sort()).toEqual(['configurationSetName', 'fromAddress', 'type']);
    expect(schema('PushConnection').required?.sort()).toEqual(['endpointAttribute', 'platformApplicationArn', 'type']);
    expect(Object.keys(schema('SmsConnection').properties!)).toContain('phoneAttribute');
    expect(Object.keys(schema('EmailConnection').properties!)).toContain('addressAttribute');
    expect(JSON.stringify(schema('SmsConnection'))).toContain('cvmMessageId');
  });
});
