import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPinnedModelsFromDir } from '#adapters/models/file-model-store.ts';
import { headKey } from '#adapters/sagemaker/endpoints.ts';
import type { Caller } from '#domain/api-key.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { loadMarket } from '#config/markets/index.ts';
import { customerRef } from '#edge/logger.ts';
import { apiEvent, type EventSpec } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { sqsEvent, sqsRecord } from '../test-support/sqs-event.ts';

/**
 * What the platform writes to CloudWatch Logs while it decides for a customer and processes a
 * batch with a poison message in it: every line JSON, every log line correlated, no customer in clear.
 */
const market = loadMarket('demo');
const settings = decisioningSettingsOf(market);
const NOW = '2025-03-12T08:00:00.000Z';
const admin: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const channel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };
const sm = mockClient(SageMakerRuntimeClient);

/** South African MSISDNs of the champion group (the control group is never scored). */
const msisdns = (() => {
  const out: string[] = [];
  for (let n = 27821234500; out.length < 2; n++)
    if (experimentGroup('acme', String(n), settings.experiments) === 'champion') out.push(String(n));
  return out as [string, string];
})();
const [decided, evented] = msisdns;
const MSISDN_LIKE = /(?<!\d)(?:\+?27|0)[6-8]\d{8}(?!\d)/;
/** Seven digits in a row of a customer's number: a quoted fragment gives most of it away. */
const fragmentsOf = (id: string) => Array.from({ length: id.length - 6 }, (_, i) => id.slice(i, i + 7));
const VERBATIM = 'call me on 0821234567 about my bill';

let t: TestTables;
let decisions: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
let customers: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
let processEvents: (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>;

beforeAll(async () => {
  t = await testTables(['acme']);
  const models = await loadPinnedModelsFromDir(
    fileURLToPath(new URL('../../models', import.meta.url)),
    market.code,
    market.scoring.models,
  );
  const endpoints = Object.fromEntries(
    models.flatMap((m) =>
      m.heads.map((h) => [headKey(m.model, h.name), { endpointName: `cvm-demo-${m.model}-${h.name}` }]),
    ),
  );
  Object.assign(process.env, t.env, {
    // a tenant whose table is gone: its events fail processing, so the failure line is exercised too
    TENANT_TABLES: JSON.stringify({ ...t.tenantTables, lapsed: `${t.tenantTables['acme']}-gone` }),
    DECISIONING: JSON.stringify(settings),
    CVM_NOW: NOW,
    CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-log-privacy-')),
    SCORING_MODE: 'sagemaker',
    SAGEMAKER_ENDPOINTS: JSON.stringify(endpoints),
    LATENCY_BUDGET_MS: '500',
    CUSTOMER_REF_SALT: 'market-salt-under-test',
  });
  decisions = (await import('./serve-decisions.ts')).handler as never;
  customers = (await import('./serve-customers.ts')).handler as never;
  processEvents = (await import('./process-events.ts')).handler as never;
  const context = lambdaContext('setup');
  const profile = {
    segment: 'youth',
    tariff: 'smart-50',
    tenureMonths: 4,
    monthlyCharge: 85,
    contract: 'month-to-month',
    consent: { app: true, sms: true },
    language: 'en',
  };
  await linesDuring(async () => {
    for (const action of demoCatalog) {
      await decisions(
        apiEvent({ method: 'PUT', path: `/v1/actions/${action.actionId}`, body: action, caller: admin }),
        context,
      );
    }
    for (const id of msisdns) {
      const res = await customers(
        apiEvent({ method: 'PUT', path: `/v1/customers/${id}`, body: profile, caller: admin }),
        context,
      );
      expect(res.statusCode).toBe(201);
    }
  });
});

const lambdaContext = (requestId: string) =>
  ({
    awsRequestId: requestId,
    functionName: 'cvm-test',
    invokedFunctionArn: 'arn:aws:lambda:af-south-1:000000000000:function:cvm-test',
    memoryLimitInMB: '1024',
    functionVersion: '$LATEST',
  }) as unknown as Context;
const withRequestId = (spec: EventSpec, requestId: string): APIGatewayProxyEvent => {
  const e = apiEvent(spec);
  return { ...e, requestContext: { ...e.requestContext, requestId } };
};

/** Every line the functions write to stdout and stderr (CloudWatch Logs takes both) while `run` runs. */
async function linesDuring(run: () => Promise<unknown>): Promise<string[]> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

const isLogLine = (l: Record<string, unknown>) => typeof l['level'] === 'string' && typeof l['message'] === 'string';

describe('the log lines of a decision and of an event batch', () => {
  it('are JSON, carry the request or message id as correlation id, and hold no customer id, number or message body', async () => {
    // the endpoint's error text echoes what it was sent: none of it may reach the log
    sm.on(InvokeEndpointCommand).rejects(
      Object.assign(new Error(`Rate exceeded for ${decided} (${VERBATIM})`), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 429 },
      }),
    );
    const apiRequestId = 'api-req-7f3a';
    // V8's parse error quotes the text around the bad token: here, most of the customer's number
    const poison = sqsRecord(
      t.market,
      'acme',
      `{"tenant":"acme","event":{"customerId":+${evented},"type":"survey.nps","data":{"verbatim":"${VERBATIM}"}}}`,
    );
    const invalid = sqsRecord(t.market, 'acme', {
      ...anEvent('survey.nps', { score: 42, verbatim: VERBATIM } as never, { now: NOW }),
      customerId: evented,
    });
    const fine = sqsRecord(t.market, 'acme', {
      ...anEvent('survey.nps', { score: 9, verbatim: VERBATIM }, { now: NOW }),
      customerId: evented,
    });
    const lapsed = sqsRecord(t.market, 'lapsed', {
      ...anEvent('billing.topup', { amount: 50 }, { now: NOW }),
      customerId: evented,
    });
    const bodies = [poison, invalid, fine, lapsed].map((r) => r.body);

    let decision: APIGatewayProxyResult | undefined;
    let batch: SQSBatchResponse | undefined;
    const lines = await linesDuring(async () => {
      decision = await decisions(
        withRequestId(
          { method: 'POST', path: '/v1/decisions', body: { customerId: decided, channel: 'app' }, caller: channel },
          apiRequestId,
        ),
        lambdaContext('lambda-req-decide'),
      );
      batch = await processEvents(sqsEvent([poison, invalid, fine, lapsed]), lambdaContext('lambda-req-batch'));
    });

    expect(decision!.statusCode).toBe(200);
    expect(JSON.parse(decision!.body).modelVersions).not.toEqual({});
    expect(batch!.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [poison.messageId, invalid.messageId, lapsed.messageId].sort(),
    );

    const parsed = lines.map((l) => {
      expect(() => JSON.parse(l), l).not.toThrow();
      return JSON.parse(l) as Record<string, unknown>;
    });
    const logs = parsed.filter(isLogLine);
    // the decision's scoring fallback, one line per unprocessable message, the lapsed tenant's failure
    expect(logs.map((l) => l['message'])).toEqual(
      expect.arrayContaining([
        'scoring fell back to the in-process evaluator',
        'unprocessable event message',
        'event processing failed; it will be redelivered',
      ]),
    );
    for (const l of logs) {
      expect(l['correlation_id'], JSON.stringify(l)).toEqual(expect.any(String));
      expect(l['function_request_id'], JSON.stringify(l)).toMatch(/^lambda-req-/);
    }
    const fallback = logs.find((l) => l['message'] === 'scoring fell back to the in-process evaluator')!;
    expect(fallback).toMatchObject({
      correlation_id: apiRequestId,
      function_request_id: 'lambda-req-decide',
      reason: 'throttled',
    });
    const unprocessable = logs.filter((l) => l['message'] === 'unprocessable event message');
    expect(unprocessable.map((l) => l['correlation_id']).sort()).toEqual([poison.messageId, invalid.messageId].sort());
    expect(unprocessable.find((l) => l['correlation_id'] === poison.messageId)).toMatchObject({
      errorName: 'SyntaxError',
    });
    expect(unprocessable.find((l) => l['correlation_id'] === invalid.messageId)).toMatchObject({
      code: 'invalid-event',
    });
    const failed = logs.find((l) => l['message'] === 'event processing failed; it will be redelivered')!;
    expect(failed).toMatchObject({ correlation_id: lapsed.messageId, customer: customerRef(evented) });

    // metric blobs (EMF) are lines of the same log stream: they are held to the same rule
    for (const line of lines) {
      for (const fragment of msisdns.flatMap(fragmentsOf)) expect(line).not.toContain(fragment);
      expect(line).not.toMatch(MSISDN_LIKE);
      expect(line).not.toContain(VERBATIM);
      expect(line).not.toContain('Rate exceeded');
      for (const body of bodies) expect(line).not.toContain(body);
    }
  });
});

describe('customerRef', () => {
  it('names a customer the same way under one salt and differently under another, without the id in it', () => {
    const ref = customerRef(decided, 'salt-a');
    expect(ref).toMatch(/^[0-9a-f]{16}$/);
    expect(customerRef(decided, 'salt-a')).toBe(ref);
    expect(customerRef(decided, 'salt-b')).not.toBe(ref);
    expect(customerRef(evented, 'salt-a')).not.toBe(ref);
    expect(ref).not.toContain(decided.slice(-4));
  });
});
