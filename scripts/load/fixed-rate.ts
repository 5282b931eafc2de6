import { Agent, request as httpRequest } from 'node:http';

/** One fixed-rate step: latency is client-side, from when each request was due. */
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

const TIMEOUT_MS = 10_000;

/** The value at quantile `q` of ascending `sorted` (nearest rank), to 0.1 ms. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return Math.round(sorted[rank - 1]! * 10) / 10;
}

/** The instant request `n` of a step is due: evenly spaced, `rate` per second from `start`. */
export const dueAt = (start: number, rate: number, n: number) => start + (n * 1000) / rate;

/**
 * An open-loop fixed rate: request n is due at start + n/rate and is sent then, whether or not the
 * earlier ones have answered, and its latency runs from when it was due, so a stall counts in every
 * request it held back (coordinated omission corrected). autocannon's rate limit is not this: each
 * connection sends its share of a second back to back and then waits for the next second, so its
 * "200/s" arrives as bursts of 20 in flight at the top of each second, and the latencies it reports
 * are those of the bursts.
 */
export async function fixedRate(
  baseUrl: string,
  key: string,
  rate: number,
  seconds: number,
  request: FixedRateRequest,
): Promise<FixedRateStep> {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let lastAnswer = 0;

  const send = (n: number, due: number) =>
    new Promise<void>((resolve) => {
      const body = request.body ? JSON.stringify(request.body(n)) : undefined;
      const req = httpRequest(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: request.path,
          method: request.method,
          timeout: TIMEOUT_MS,
          headers: {
            'x-api-key': key,
            'content-type': 'application/json',
            ...(body ? { 'content-length': Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            lastAnswer = performance.now();
            latencies.push(lastAnswer - due);
            if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) non2xx++;
            resolve();
          });
        },
      );
      req.on('timeout', () => {
        timeouts++;
        req.destroy();
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });

  const start = performance.now() + 5;
  const inFlight: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    let n = 0;
    const tick = () => {
      const now = performance.now();
      // every request due by now goes out now; a late timer makes them late, which counts
      while (n < total && dueAt(start, rate, n) <= now) inFlight.push(send(n, dueAt(start, rate, n++)));
      if (n >= total) return resolve();
      setTimeout(tick, Math.max(0, dueAt(start, rate, n) - performance.now()));
    };
    setTimeout(tick, 5);
  });
  await Promise.all(inFlight);
  agent.destroy();
  const elapsed = Math.max(seconds * 1000, lastAnswer - start);
  latencies.sort((a, b) => a - b);
  return {
    rate,
    achieved: latencies.length / (elapsed / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: quantile(latencies, 1),
    non2xx,
    errors: errors - timeouts,
    timeouts,
  };
}
