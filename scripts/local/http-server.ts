import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { problem, problemResult } from '#http/problem.ts';
import type { LocalRequest } from './api-gateway.ts';
import type { APIGatewayProxyResult } from 'aws-lambda';

/** API Gateway's own payload limit; our per-route limits are smaller and enforced by the handlers. */
const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > GATEWAY_BODY_LIMIT) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A route that reads the request body itself, streamed (an upload of any size), before it is buffered. */
export type StreamingRoute = (req: IncomingMessage, path: string) => Promise<APIGatewayProxyResult | undefined>;

export function serveHttp(
  dispatch: (req: LocalRequest) => Promise<APIGatewayProxyResult>,
  port: number,
  host = '127.0.0.1',
  streaming?: StreamingRoute,
): Promise<Server> {
  const server = createServer(async (req, res) => {
    let result: APIGatewayProxyResult;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // the path as sent: URL would resolve `.` and `..` segments away (`/v1/customers/..` to
      // `/v1/`, a 404); as sent, such a segment reaches its route and is refused as an id (400)
      const target = req.url ?? '/';
      const path = target.startsWith('/') ? target.split('?')[0]! : url.pathname;
      const streamed = await streaming?.(req, path);
      const body = streamed ? Buffer.alloc(0) : await readBody(req);
      if (streamed) result = streamed;
      else if (body === 'too-large') {
        result = problemResult({
          ...problem('payload-too-large', 'the body is larger than API Gateway accepts'),
          requestId: randomUUID(),
        });
      } else {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
        result = await dispatch({
          method: (req.method ?? 'GET').toUpperCase(),
          path,
          query: Object.fromEntries(url.searchParams),
          headers,
          body,
        });
      }
    } catch {
      result = problemResult({ ...problem('internal', 'an unexpected error occurred'), requestId: randomUUID() });
    }
    const headers = { ...(result.headers ?? {}) } as Record<string, string>;
    res.writeHead(result.statusCode, headers);
    res.end(result.body);
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
