import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, GetUsageCommand, GetUsagePlansCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TenantUsage, UsageSource } from '#domain/cost/ports.ts';
import { METER_NAMES } from '#domain/usage-readings.ts';
import { CloudWatchUsageSource, monthRange } from './cloudwatch-usage-source.ts';
import { CombinedUsageSource } from './combined-usage-source.ts';
import { FileUsageSource } from './file-usage-source.ts';
import { UsagePlanUsageSource } from './usage-plan-usage-source.ts';

const cw = mockClient(CloudWatchClient);
const apigw = mockClient(APIGatewayClient);
beforeEach(() => {
  cw.reset();
  apigw.reset();
});

/** The query id the source gave a tenant's meter, read back from the request it sent. */
const idOf = (queries: MetricDataQuery[], tenant: string, name: string) =>
  queries.find(
    (q) =>
      q.MetricStat?.Metric?.MetricName === name &&
      q.MetricStat.Metric.Dimensions?.some((d) => d.Name === 'tenant' && d.Value === tenant),
  )!.Id!;

/** A GetMetricData result as documented: daily Sum datapoints of one query. */
const result = (
  Id: string,
  values: number[],
  StatusCode: 'Complete' | 'PartialData' | 'InternalError' = 'Complete',
) => ({
  Id,
  Label: Id,
  StatusCode,
  Values: values,
  Timestamps: values.map((_, i) => new Date(Date.UTC(2026, 9, 1 + i))),
});

describe('usage from CloudWatch (the EMF meters)', () => {
  it("sums each tenant's meters over the month, following NextToken across pages", async () => {
    // the paginator reuses one input object: what each request carried is read when it is sent
    const tokens: (string | undefined)[] = [];
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[]; NextToken?: string }) => {
      tokens.push(input.NextToken);
      const q = input.MetricDataQueries;
      if (!input.NextToken) {
        return {
          MetricDataResults: [
            result(idOf(q, 'consumer', 'Decision'), [1200, 800], 'PartialData'),
            result(idOf(q, 'enterprise', 'ApiRequest'), [40]),
          ],
          NextToken: 'page-2',
          Messages: [],
        };
      }
      return {
        MetricDataResults: [
          result(idOf(q, 'consumer', 'Decision'), [500]),
          result(idOf(q, 'consumer', 'WriteCapacityUnits'), [2500.5, 10]),
          result(idOf(q, 'enterprise', 'Score'), []),
        ],
        Messages: [],
      };
    });
    const usage = await new CloudWatchUsageSource(
      ['consumer', 'enterprise'],
      new CloudWatchClient({ region: 'af-south-1' }),
    ).usage('demo', '2026-10');
    expect(usage).toEqual({ consumer: { Decision: 2500, WriteCapacityUnits: 2510.5 }, enterprise: { ApiRequest: 40 } });

    expect(tokens).toEqual([undefined, 'page-2']);
    const first = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(first.StartTime).toEqual(new Date('2026-10-01T00:00:00Z'));
    expect(first.EndTime).toEqual(new Date('2026-11-01T00:00:00Z'));
    // one query per tenant and meter, with the exact dimensions the EMF meter writes
    expect(first.MetricDataQueries).toHaveLength(2 * METER_NAMES.length);
    expect(
      first.MetricDataQueries!.find((q) => q.Id === idOf(first.MetricDataQueries!, 'consumer', 'Decision'))!.MetricStat,
    ).toEqual({
      Metric: {
        Namespace: 'telco-cvm',
        MetricName: 'Decision',
        Dimensions: [
          { Name: 'service', Value: 'telco-cvm' },
          { Name: 'market', Value: 'demo' },
          { Name: 'tenant', Value: 'consumer' },
        ],
      },
      Period: 86_400,
      Stat: 'Sum',
    });
  });

  it('refuses to report when CloudWatch could not read a meter, rather than shifting cost to the others', async () => {
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[] }) => ({
      MetricDataResults: [result(idOf(input.MetricDataQueries, 'consumer', 'Event'), [], 'InternalError')],
    }));
    await expect(
      new CloudWatchUsageSource(['consumer'], new CloudWatchClient({ region: 'af-south-1' })).usage('demo', '2026-10'),
    ).rejects.toThrow(/Event of tenant consumer: InternalError/);
  });

  it('reads SMS segments by destination country with the dimensions the EMF meter writes them', async () => {
    const ofCountry = (queries: MetricDataQuery[], tenant: string, country: string) =>
      queries.find((q) => {
        const dims = q.MetricStat!.Metric!.Dimensions!;
        return dims.some((d) => d.Name === 'tenant' && d.Value === tenant) && dims.some((d) => d.Value === country);
      })!.Id!;
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[] }) => ({
      MetricDataResults: [
        result(ofCountry(input.MetricDataQueries, 'consumer', 'ZA'), [1000, 200]),
        result(ofCountry(input.MetricDataQueries, 'consumer', 'GB'), [40]),
        result(ofCountry(input.MetricDataQueries, 'enterprise', 'CA'), []),
      ],
    }));
    const source = new CloudWatchUsageSource(
      ['consumer', 'enterprise'],
      new CloudWatchClient({ region: 'af-south-1' }),
    );
    expect(await source.smsSegmentsByDestination('demo', '2026-10')).toEqual({ consumer: { ZA: 1200, GB: 40 } });
    const queries = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(queries.find((q) => q.Id === ofCountry(queries, 'consumer', 'GB'))!.MetricStat!.Metric).toEqual({
      Namespace: 'telco-cvm',
      MetricName: 'SmsSegmentsSent',
      Dimensions: [
        { Name: 'service', Value: 'telco-cvm' },
        { Name: 'market', Value: 'demo' },
        { Name: 'tenant', Value: 'consumer' },
        { Name: 'country', Value: 'GB' },
      ],
    });
  });

  it('takes a December to the first of January', () => {
    expect(monthRange('2026-12')).toEqual({
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
  });
});

describe('usage from API Gateway usage plans', () => {
  it("counts the requests of each tenant's own plan of this stage over the month, following position", async () => {
    const sent: string[] = [];
    apigw.on(GetUsagePlansCommand).callsFake((input: { position?: string }) => {
      sent.push(`plans@${input.position ?? 'start'}`);
      return input.position === 'plans-2'
        ? { items: [{ id: 'p-enterprise', name: 'cvm-demo-dev-enterprise' }] }
        : {
            items: [
              { id: 'p-ir-consumer', name: 'cvm-ir-dev-consumer' },
              { id: 'p-prod-consumer', name: 'cvm-demo-prod-consumer' },
              { id: 'p-consumer', name: 'cvm-demo-dev-consumer' },
            ],
            position: 'plans-2',
          };
    });
    // documented shape: per API key, one [used, remaining] pair per day
    const pages: Record<string, object> = {
      'p-consumer@start': {
        items: {
          'key-c': [
            [1000, 99000],
            [2000, 97000],
          ],
        },
        position: 'usage-2',
      },
      'p-consumer@usage-2': { items: { 'key-c': [[500, 96500]] } },
      'p-enterprise@start': {
        items: {
          'key-e': [
            [0, 5000],
            [7, 4993],
          ],
        },
      },
    };
    apigw
      .on(GetUsageCommand)
      .callsFake((input: { usagePlanId: string; position?: string; startDate: string; endDate: string }) => {
        const key = `${input.usagePlanId}@${input.position ?? 'start'}`;
        sent.push(`${key} ${input.startDate}..${input.endDate}`);
        return { usagePlanId: input.usagePlanId, startDate: input.startDate, endDate: input.endDate, ...pages[key] };
      });

    const usage = await new UsagePlanUsageSource(
      ['consumer', 'enterprise', 'mvno'],
      'demo-dev',
      new APIGatewayClient({ region: 'af-south-1' }),
    ).usage('demo', '2026-10');
    expect(usage).toEqual({ consumer: { ApiRequest: 3500 }, enterprise: { ApiRequest: 7 } });

    expect(sent).toEqual([
      'plans@start',
      'plans@plans-2',
      'p-consumer@start 2026-10-01..2026-10-31',
      'p-consumer@usage-2 2026-10-01..2026-10-31',
      'p-enterprise@start 2026-10-01..2026-10-31',
    ]);
  });
});

describe('combined usage', () => {
  const source = (usage: TenantUsage, method: string): UsageSource => ({ method, usage: async () => usage });

  it("keeps every meter and lets API Gateway's request count replace the metered one", async () => {
    const combined = new CombinedUsageSource([
      source({ consumer: { ApiRequest: 3490, Decision: 2500 }, enterprise: { Event: 10 } }, 'meters'),
      source({ consumer: { ApiRequest: 3500 } }, 'gateway'),
    ]);
    expect(await combined.usage('demo', '2026-10')).toEqual({
      consumer: { ApiRequest: 3500, Decision: 2500 },
      enterprise: { Event: 10 },
    });
    expect(combined.method).toBe('meters; then, where it has a figure, gateway');
  });
});

describe('usage from the local metering file', () => {
  it("adds up the month's readings of the market, with or without a country, and passes over lines it cannot read", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvm-usage-'));
    const file = join(dir, 'metering.jsonl');
    const reading = (over: object) => ({
      at: '2026-10-12T08:00:00.000Z',
      market: 'demo',
      tenant: 'consumer',
      name: 'SmsSegmentsSent',
      count: 2,
      ...over,
    });
    const lines = [
      JSON.stringify(reading({})),
      JSON.stringify(reading({ country: 'ZA', count: 3 })),
      JSON.stringify(reading({ name: 'ApiRequest', count: 5 })),
      JSON.stringify(reading({ market: 'ir' })),
      JSON.stringify(reading({ at: '2026-09-30T23:59:59.000Z' })),
      JSON.stringify(reading({ name: 'NotAMeter' })),
      JSON.stringify(reading({ at: 20261012 })),
      'null',
      '{ not json',
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    try {
      const source = new FileUsageSource(file);
      await expect(source.usage('demo', '2026-10')).resolves.toEqual({
        consumer: { SmsSegmentsSent: 5, ApiRequest: 5 },
      });
      await expect(source.smsSegmentsByDestination('demo', '2026-10')).resolves.toEqual({ consumer: { '': 2, ZA: 3 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
