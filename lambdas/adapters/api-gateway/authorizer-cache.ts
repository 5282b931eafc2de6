import { APIGatewayClient, FlushStageAuthorizersCacheCommand, paginateGetRestApis } from '@aws-sdk/client-api-gateway';
import type { AuthorizerCache } from '#domain/ports/keys.ts';

/**
 * The deployed stage's authorizer cache: found by the REST API's name (GetRestApis, needs
 * `apigateway:GET` on `arn:aws:apigateway:<region>::/restapis`), flushed with
 * FlushStageAuthorizersCache (`apigateway:DELETE` on
 * `arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>/cache/authorizers`).
 */
export class ApiGatewayAuthorizerCache implements AuthorizerCache {
  constructor(
    private readonly restApiName: string,
    private readonly stageName: string,
    private readonly client: APIGatewayClient = new APIGatewayClient({}),
  ) {}

  async flush(): Promise<'flushed'> {
    const restApiId = await this.restApiId();
    await this.client.send(new FlushStageAuthorizersCacheCommand({ restApiId, stageName: this.stageName }));
    return 'flushed';
  }

  private async restApiId(): Promise<string> {
    const ids: string[] = [];
    for await (const page of paginateGetRestApis({ client: this.client, pageSize: 500 }, {})) {
      for (const api of page.items ?? []) if (api.name === this.restApiName && api.id) ids.push(api.id);
    }
    if (ids.length !== 1)
      throw new Error(
        ids.length
          ? `${ids.length} REST APIs are named ${this.restApiName}`
          : `no REST API named ${this.restApiName} in this account and region`,
      );
    return ids[0]!;
  }
}
