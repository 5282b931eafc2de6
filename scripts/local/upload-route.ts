import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { offsetClock, systemClock } from '#adapters/clock.ts';
import { LOCAL_UPLOADS_PATH, localUploadSecret, receiveUpload } from '#adapters/local/local-uploads.ts';
import { problem, problemResult } from '#http/problem.ts';

/**
 * The local stand-in for a presigned S3 PUT, beside the API (not part of it): `PUT
 * /local/uploads/<token>` with a token the audiences function signed streams the body to the one
 * file the token names, `<dir>/uploads/<tenant>/<audienceId>.csv`, until the token expires.
 * Nothing in the request chooses a path. Answers undefined for every other path (the API's).
 */
export function localUploadRoute(dir: string, cvmNow?: string) {
  const secret = localUploadSecret(dir);
  // the token's expiry is on the platform clock, as the function that signed it reads it
  const clock = cvmNow ? offsetClock(new Date(cvmNow), Date.now) : systemClock;
  return async (req: IncomingMessage, path: string): Promise<APIGatewayProxyResult | undefined> => {
    if (!path.startsWith(LOCAL_UPLOADS_PATH)) return undefined;
    if (req.method !== 'PUT') return problemResult(problem('method-not-allowed', 'use PUT'), { allow: 'PUT' });
    const token = path.slice(LOCAL_UPLOADS_PATH.length);
    const length = Number(req.headers['content-length']);
    const out = await receiveUpload(dir, secret, token, req, clock.now(), Number.isFinite(length) ? length : undefined);
    if (out.status === 200) return { statusCode: 200, body: '' };
    req.resume();
    return problemResult(problem(out.status === 413 ? 'payload-too-large' : 'forbidden', out.detail));
  };
}
