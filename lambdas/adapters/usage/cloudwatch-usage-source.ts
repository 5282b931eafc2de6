import { CloudWatchClient, paginateGetMetricData, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { TenantUsage, UsageSource } from '#domain/cost/ports.ts';
import { CALLING_CODES } from '#domain/cost/calling-codes.ts';
import type { TenantId } from '#domain/ids.ts';
import { METER_NAMES, METER_NAMESPACE, METER_SERVICE, type MeteredName } from '#domain/usage-readings.ts';

/** GetMetricData takes at most 500 queries per request. */
const MAX_QUERIES = 500;
const DAY_SECONDS = 86_400;

/** `2026-10` -> [2026-10-01T00:00Z, 2026-11-01T00:00Z). */
export function monthRange(month: string): { start: Date; end: Date } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new Error(`month must be yyyy-mm, not '${month}'`);
  const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  const end = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
  return { start, end };
}

/**
 * The month's meters from the CloudWatch metrics the EMF lines became: GetMetricData on namespace
 * telco-cvm, one query per tenant and meter with the exact dimensions the EMF meter writes
 * (service, market, tenant), Sum per UTC day added up over the month, following NextToken (a
 * query's datapoints may continue on the next page). Explicit queries, not SEARCH: SEARCH only
 * finds metrics that reported in the last two weeks, and a report is often about an older month.
 */
export class CloudWatchUsageSource implements UsageSource {
  readonly method: string;

  constructor(
    private readonly tenants: readonly TenantId[],
    private readonly client: CloudWatchClient = new CloudWatchClient({}),
  ) {
    this.method = `CloudWatch GetMetricData, namespace ${METER_NAMESPACE}, dimensions service=${METER_SERVICE}, market, tenant: Sum over the month (UTC) of the meters the platform writes as EMF`;
  }

  async usage(market: string, month: string): Promise<TenantUsage> {
    const queries: Query[] = [];
    for (const tenant of this.tenants)
      for (const name of METER_NAMES) queries.push(query(queries.length, market, tenant, name));
    const out: TenantUsage = {};
    for (const [q, sum] of await this.sums(queries, month)) {
      const t = (out[q.tenant] ??= {});
      t[q.name] = (t[q.name] ?? 0) + sum;
    }
    return out;
  }

  /**
   * SmsSegmentsSent by destination country, as the EMF meter also publishes it (dimension
   * `country`): one query per tenant and country the calling-code table knows (calling-codes.ts),
   * the only countries the sender names.
   */
  async smsSegmentsByDestination(market: string, month: string): Promise<Record<TenantId, Record<string, number>>> {
    const countries = [...new Set(Object.values(CALLING_CODES))].sort();
    const queries: Query[] = [];
    for (const tenant of this.tenants)
      for (const country of countries) queries.push(query(queries.length, market, tenant, 'SmsSegmentsSent', country));
    const out: Record<TenantId, Record<string, number>> = {};
    for (const [q, sum] of await this.sums(queries, month)) {
      const t = (out[q.tenant] ??= {});
      t[q.country!] = (t[q.country!] ?? 0) + sum;
    }
    return out;
  }

  /** Each query's Sum over the month, the ones that are 0 left out; throws when CloudWatch could not read one. */
  private async sums(queries: Query[], month: string): Promise<[Query, number][]> {
    const { start, end } = monthRange(month);
    const out: [Query, number][] = [];
    for (let i = 0; i < queries.length; i += MAX_QUERIES) {
      const chunk = queries.slice(i, i + MAX_QUERIES);
      const byId = new Map(chunk.map((q) => [q.query.Id!, q]));
      const pages = paginateGetMetricData(
        { client: this.client },
        {
          MetricDataQueries: chunk.map((q) => q.query),
          StartTime: start,
          EndTime: end,
          ScanBy: 'TimestampAscending',
        },
      );
      for await (const page of pages) {
        for (const result of page.MetricDataResults ?? []) {
          const q = result.Id ? byId.get(result.Id) : undefined;
          if (!q) continue;
          if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
            // a missing meter would shift shared cost onto the other tenants without a trace
            throw new Error(
              `CloudWatch could not read ${q.name}${q.country ? ` to ${q.country}` : ''} of tenant ${q.tenant}: ${result.StatusCode}${result.Messages?.length ? ` (${result.Messages.map((m) => m.Value).join('; ')})` : ''}`,
            );
          }
          const sum = (result.Values ?? []).reduce((s, v) => s + v, 0);
          if (sum !== 0) out.push([q, sum]);
        }
      }
    }
    return out;
  }
}

interface Query {
  query: MetricDataQuery;
  tenant: TenantId;
  name: MeteredName;
  country?: string;
}

/** The daily Sum of one meter of a tenant, with the exact dimensions the EMF meter writes. */
function query(index: number, market: string, tenant: TenantId, name: MeteredName, country?: string): Query {
  return {
    tenant,
    name,
    ...(country ? { country } : {}),
    query: {
      Id: `m${index}`,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: METER_NAMESPACE,
          MetricName: name,
          Dimensions: [
            { Name: 'service', Value: METER_SERVICE },
            { Name: 'market', Value: market },
            { Name: 'tenant', Value: tenant },
            ...(country ? [{ Name: 'country', Value: country }] : []),
          ],
        },
        Period: DAY_SECONDS,
        Stat: 'Sum',
      },
    },
  };
}
