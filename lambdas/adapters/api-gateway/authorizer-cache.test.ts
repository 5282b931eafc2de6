import { APIGatewayClient, FlushStageAuthorizersCacheCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayAuthorizerCache } from './authorizer-cache.ts';

const apigw = mockClient(APIGatewayClient);
beforeEach(() => apigw.reset());

describe("the deployed stage's authorizer cache", () => {
  it('finds the REST API by name across pages and flushes its stage', async () => {
    apigw
      .on(GetRestApisCommand)
      .resolvesOnce({ items: [{ id: 'other', name: 'cvm-demo-dev' }], position: 'p2' })
      .resolvesOnce({ items: [{ id: 'a1b2c3', name: 'cvm-demo-prod' }] });
    apigw.on(FlushStageAuthorizersCacheCommand).resolves({});
    const cache = new ApiGatewayAuthorizerCache('cvm-demo-prod', 'live', new APIGatewayClient({ region: 'eu-west-1' }));
    await expect(cache.flush()).resolves.toBe('flushed');
    expect(apigw.commandCalls(GetRestApisCommand)).toHaveLength(2);
    expect(apigw.commandCalls(FlushStageAuthorizersCacheCommand).map((c) => c.args[0].input)).toEqual([
      { restApiId: 'a1b2c3', stageName: 'live' },
    ]);
  });

  it('fails, flushing nothing, when no API or several carry the name', async () => {
    const cache = new ApiGatewayAuthorizerCache('cvm-demo-prod', 'live', new APIGatewayClient({ region: 'eu-west-1' }));
    apigw.on(GetRestApisCommand).resolves({ items: [] });
    await expect(cache.flush()).rejects.toThrow('no REST API named cvm-demo-prod');
    apigw.on(GetRestApisCommand).resolves({
      items: [
        { id: 'x', name: 'cvm-demo-prod' },
        { id: 'y', name: 'cvm-demo-prod' },
      ],
    });
    await expect(cache.flush()).rejects.toThrow('2 REST APIs are named cvm-demo-prod');
    expect(apigw.commandCalls(FlushStageAuthorizersCacheCommand)).toHaveLength(0);
  });

  it('passes a refusal on (the keys CLI then says "within 60 s")', async () => {
    apigw.on(GetRestApisCommand).resolves({ items: [{ id: 'a1', name: 'cvm-demo-prod' }] });
    apigw
      .on(FlushStageAuthorizersCacheCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform apigateway:DELETE'), { name: 'AccessDeniedException' }),
      );
    const cache = new ApiGatewayAuthorizerCache('cvm-demo-prod', 'live', new APIGatewayClient({ region: 'eu-west-1' }));
    await expect(cache.flush()).rejects.toThrow('apigateway:DELETE');
  });
});
