import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueAt, fixedRate, quantile } from './fixed-rate.ts';

let baseUrl: string;
const arrivals: number[] = [];
let blockAt = -1;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    arrivals.push(performance.now());
    const { n } = JSON.parse(body || '{}') as { n?: number };
    // a stall of the whole process (as a GC pause or a saturated core would be)
    if (n === blockAt) for (const until = performance.now() + 200; performance.now() < until; );
    res.writeHead(n === 3 ? 500 : 200).end('{}');
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the open-loop fixed rate', () => {
  it('spaces the requests evenly instead of sending each second as a burst', async () => {
    arrivals.length = 0;
    blockAt = -1;
    const step = await fixedRate(baseUrl, 'k', 100, 0.5, { method: 'POST', path: '/', body: (n) => ({ n }) });
    expect(arrivals).toHaveLength(50);
    const gaps = arrivals
      .slice(1)
      .map((t, i) => t - arrivals[i]!)
      .sort((a, b) => a - b);
    expect(quantile(gaps, 0.5)).toBeGreaterThan(5); // 10 ms apart, not back to back
    expect(step).toMatchObject({ rate: 100, non2xx: 1, errors: 0, timeouts: 0 });
    expect(step.achieved).toBeGreaterThan(90);
  });

  it('counts a stall in every request it held back, from when each was due', async () => {
    blockAt = 10;
    const step = await fixedRate(baseUrl, 'k', 100, 0.5, { method: 'POST', path: '/', body: (n) => ({ n }) });
    // ~20 requests were due during the 200 ms stall: the slowest waited nearly all of it
    expect(step.max).toBeGreaterThan(150);
    expect(step.p99).toBeGreaterThan(150);
    expect(step.p50).toBeLessThan(50);
  });

  it('reads quantiles by nearest rank', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([], 0.5)).toBe(0);
    expect(dueAt(1000, 200, 3)).toBe(1015);
  });
});
