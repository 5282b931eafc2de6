import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_UPLOADS_PATH,
  LocalAudienceUploads,
  localUploadSecret,
  signUploadToken,
} from '#adapters/local/local-uploads.ts';
import { serveHttp } from './http-server.ts';
import { localUploadRoute } from './upload-route.ts';

let dir: string;
let server: Server;
let base: string;
let uploads: LocalAudienceUploads;

/** A request with its path exactly as given (fetch would resolve `..` segments away). */
function put(path: string, body: string, method = 'PUT'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { method, path }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cvm-upload-route-'));
  server = await serveHttp(async () => ({ statusCode: 404, body: 'api' }), 0, '127.0.0.1', localUploadRoute(dir));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  uploads = new LocalAudienceUploads(dir, localUploadSecret(dir), () => base);
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const soon = () => new Date(Date.now() + 60_000);

describe('the local upload route', () => {
  it('stores the body at the one file the signed token names', async () => {
    const url = new URL(await uploads.uploadUrl('acme', 'aud-1', soon()));
    expect(url.pathname.startsWith(LOCAL_UPLOADS_PATH)).toBe(true);
    expect((await put(url.pathname, 'c1\nc2\n')).status).toBe(200);
    expect(readFileSync(join(dir, 'uploads', 'acme', 'aud-1.csv'), 'utf8')).toBe('c1\nc2\n');
    expect(await uploads.stat('acme', 'aud-1')).toMatchObject({ size: 6 });
    // the API is not in the way of other paths
    expect((await put('/v1/campaigns', '{}', 'POST')).body).toBe('api');
  });

  it('refuses paths and tokens that name anything else, writing nothing', async () => {
    const good = new URL(await uploads.uploadUrl('acme', 'aud-2', soon())).pathname.slice(LOCAL_UPLOADS_PATH.length);
    const [payload, signature] = good.split('.');
    const forged = Buffer.from(JSON.stringify(['acme', '..', Date.now() + 60_000])).toString('base64url');
    const secret = localUploadSecret(dir);
    for (const path of [
      `${LOCAL_UPLOADS_PATH}../../keys.json`,
      `${LOCAL_UPLOADS_PATH}..%2F..%2Fkeys.json`,
      `${LOCAL_UPLOADS_PATH}${good}/../../x`,
      `${LOCAL_UPLOADS_PATH}${forged}.${signature}`,
      `${LOCAL_UPLOADS_PATH}${payload}.${'A'.repeat(signature!.length)}`,
      // signed, but naming a path rather than an audience: the id rule refuses it
      `${LOCAL_UPLOADS_PATH}${signUploadToken(secret, { tenant: 'acme', audienceId: '..', exp: Date.now() + 60_000 })}`,
      `${LOCAL_UPLOADS_PATH}${signUploadToken(secret, { tenant: '../acme', audienceId: 'a', exp: Date.now() + 60_000 })}`,
    ]) {
      const res = await put(path, 'x\n');
      expect(res.status, path).toBe(403);
      expect(JSON.parse(res.body).type).toMatch(/forbidden$/);
    }
    expect(readdirSync(dir).sort()).toEqual(['upload-secret', 'uploads']);
    expect(readdirSync(join(dir, 'uploads'))).toEqual(['acme']);
    expect(existsSync(join(dir, 'uploads', 'acme', 'aud-2.csv'))).toBe(false);
  });

  it('refuses an expired URL and any method but PUT', async () => {
    const expired = new URL(await uploads.uploadUrl('acme', 'aud-3', new Date(Date.now() - 1000))).pathname;
    const res = await put(expired, 'x\n');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).detail).toMatch(/expired/);
    const live = new URL(await uploads.uploadUrl('acme', 'aud-3', soon())).pathname;
    expect((await put(live, '', 'GET')).status).toBe(405);
    expect(existsSync(join(dir, 'uploads', 'acme', 'aud-3.csv'))).toBe(false);
  });
});
