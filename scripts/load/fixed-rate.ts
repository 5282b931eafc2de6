import autocannon from 'autocannon';

/** One fixed-rate step of autocannon: latency is client-side and corrected for coordinated omission. */
export interface FixedRateStep {
  rate: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface FixedRateRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** A body per request (its sequence number), JSON-encoded. */
  body?: (n: number) => unknown;
}

export async function fixedRate(baseUrl: string, key: string, rate: number, seconds: number, request: FixedRateRequest): Promise<FixedRateStep> {
  let i = 0;
  const result = await autocannon({
    url: baseUrl,
    connections: Math.min(64, Math.max(4, Math.ceil(rate / 10))),
    overallRate: rate,
    duration: seconds,
    timeout: 10,
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    requests: [
      request.body
        ? { method: request.method, path: request.path, setupRequest: (req) => ({ ...req, body: JSON.stringify(request.body!(i++)) }) }
        : { method: request.method, path: request.path },
    ],
  });
  return {
    rate,
    achieved: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
