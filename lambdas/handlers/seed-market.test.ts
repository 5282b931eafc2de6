import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CustomResourceEvent, customResourceHandler } from '#adapters/cloudformation/custom-resource.ts';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import { authorize } from '#app/authorize.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import type { Caller } from '#domain/api-key.ts';
import { fixedClock } from '#domain/clock.ts';
import { contentHash } from '#domain/starter.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

/** CloudFormation's side: the presigned ResponseURL, a local server that keeps what is PUT to it. */
interface Answer {
  method: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}
const answers: Answer[] = [];
let server: Server;
let responseUrl: string;

/** Secrets Manager: the secrets exist without a value until PutSecretValue. */
const sm = mockClient(SecretsManagerClient);
const secretValues = new Map<string, string>();
const SECRETS = {
  acme: 'arn:aws:secretsmanager:af-south-1:111122223333:secret:cvm-t-dev-acme-admin-key-AbCdEf',
  globex: 'arn:aws:secretsmanager:af-south-1:111122223333:secret:cvm-t-dev-globex-admin-key-GhIjKl',
};

const starter = loadMarket('demo').starter;
let t: TestTables;
let handler: (event: CustomResourceEvent) => Promise<void>;
let actionsApi: Invoke;
let catalog: DynamoActionCatalog;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      answers.push({ method: req.method!, contentType: req.headers['content-type'], body: JSON.parse(raw) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response?X-Amz-Signature=abc`;

  t = await testTables(['acme', 'globex']);
  Object.assign(process.env, t.env, {
    DEPLOYMENT: `${t.market}-dev`,
    ADMIN_KEY_SECRETS: JSON.stringify(SECRETS),
    DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
  });
  handler = (await import('./seed-market.ts')).handler as never;
  actionsApi = invoker((await import('./serve-decisions.ts')).handler as never);
  catalog = new DynamoActionCatalog(documentClient({ endpoint: t.endpoint }), (x) => t.tenantTables[x]!);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  answers.length = 0;
  sm.reset();
  sm.on(DescribeSecretCommand).callsFake(async ({ SecretId }: { SecretId: string }) => ({
    ARN: SecretId,
    ...(secretValues.has(SecretId) ? { VersionIdsToStages: { v1: ['AWSCURRENT'] } } : {}),
  }));
  sm.on(PutSecretValueCommand).callsFake(
    async ({ SecretId, SecretString }: { SecretId: string; SecretString: string }) => {
      secretValues.set(SecretId, SecretString);
      return { ARN: SecretId, VersionId: 'v1' };
    },
  );
});

const event = (
  type: CustomResourceEvent['RequestType'],
  properties: Record<string, unknown> = { StarterHash: contentHash(starter), Starter: JSON.stringify(starter) },
  physicalResourceId?: string,
): CustomResourceEvent => ({
  RequestType: type,
  ResponseURL: responseUrl,
  StackId: 'arn:aws:cloudformation:af-south-1:111122223333:stack/TelcoCvm-demo-dev/1',
  RequestId: `req-${type}`,
  LogicalResourceId: 'MarketSeedSeed',
  ResourceType: 'Custom::CvmMarketSeed',
  ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
  ResourceProperties: { ServiceToken: 'arn:aws:lambda:af-south-1:111122223333:function:seed', ...properties },
});
const admin: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };

describe('the seed custom resource', () => {
  let physicalId: string;

  it('on Create seeds every tenant, issues the admin keys and PUTs SUCCESS to the ResponseURL', async () => {
    await handler(event('Create'));
    expect(answers).toHaveLength(1);
    const [answer] = answers;
    expect(answer!.method).toBe('PUT');
    expect(answer!.contentType ?? '').toBe('');
    expect(answer!.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: `cvm-${t.market}-dev-seed`,
      StackId: event('Create').StackId,
      RequestId: 'req-Create',
      LogicalResourceId: 'MarketSeedSeed',
    });
    physicalId = answer!.body['PhysicalResourceId'] as string;
    expect((await catalog.list('globex')).length).toBe(starter.actions.length);

    // the keys went to the secrets only: the response carries none, and each one authorizes
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(2);
    const keys = new DynamoKeyStore(documentClient({ endpoint: t.endpoint }), t.keysTable);
    for (const [tenant, arn] of Object.entries(SECRETS)) {
      const key = secretValues.get(arn)!;
      expect(JSON.stringify(answer!.body)).not.toContain(key);
      await expect(authorize({ keys, clock: fixedClock(new Date()) })(key)).resolves.toMatchObject({
        caller: { tenant, scope: 'admin' },
      });
    }
  });

  it('on Update keeps its physical id, applies the new starter set and leaves the admin keys alone', async () => {
    // meanwhile a tenant edits one of the starter actions through the API
    const mine = { ...starter.actions.find((a) => a.actionId === 'device-upgrade')!, value: 7 };
    const res = await actionsApi({ method: 'PUT', path: '/v1/actions/device-upgrade', body: mine, caller: admin });
    expect(res.status).toBe(200);

    const next = {
      ...starter,
      actions: starter.actions.map((a) =>
        a.actionId === 'bundle-upgrade-10gb' || a.actionId === 'device-upgrade' ? { ...a, value: 77 } : a,
      ),
    };
    await handler(event('Update', { StarterHash: contentHash(next), Starter: JSON.stringify(next) }, physicalId));
    expect(answers.map((a) => [a.body['Status'], a.body['PhysicalResourceId']])).toEqual([['SUCCESS', physicalId]]);
    expect((await catalog.get('acme', 'bundle-upgrade-10gb'))?.value).toBe(77);
    expect((await catalog.get('acme', 'device-upgrade'))?.value).toBe(7);
    expect((await catalog.get('globex', 'device-upgrade'))?.value).toBe(77);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('on Delete deletes nothing and answers SUCCESS with the same physical id', async () => {
    await handler(event('Delete', undefined, physicalId));
    expect(answers.map((a) => [a.body['Status'], a.body['PhysicalResourceId']])).toEqual([['SUCCESS', physicalId]]);
    expect((await catalog.list('acme')).length).toBe(starter.actions.length);
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(0);
  });

  it('answers FAILED, naming the fault, when the starter set is not valid', async () => {
    const bad = { ...starter, triggers: [{ ...starter.triggers[0]!, actionId: 'no-such-action' }] };
    await handler(event('Update', { StarterHash: 'x', Starter: JSON.stringify(bad) }, physicalId));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId });
    expect(answers[0]!.body['Reason']).toMatch(/^Update failed: .*no-such-action is not in the starter actions/);
  });

  it('answers FAILED when Secrets Manager refuses', async () => {
    sm.on(DescribeSecretCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await handler(event('Update', undefined, physicalId));
    expect(answers[0]!.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId });
    expect(answers[0]!.body['Reason']).toContain('AccessDeniedException');
  });
});

describe('the custom-resource protocol', () => {
  it('answers FAILED shortly before the function would time out', async () => {
    const slow = customResourceHandler({
      physicalResourceId: () => 'slow-1',
      apply: () => new Promise(() => undefined),
    });
    await slow(event('Create'), { getRemainingTimeInMillis: () => 5_050 });
    expect(answers.map((a) => a.body)).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        PhysicalResourceId: 'slow-1',
        Reason: expect.stringContaining('did not finish in time'),
      }),
    ]);
  });
});
