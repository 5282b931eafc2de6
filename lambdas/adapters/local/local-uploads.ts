import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type AudienceUploads, UploadChangedError, type UploadedObject } from '#domain/campaign/audience-ports.ts';
import { isValidId, type TenantId } from '#domain/ids.ts';

/** Where the local runtime takes audience uploads: `PUT /local/uploads/<token>`. */
export const LOCAL_UPLOADS_PATH = '/local/uploads/';
/** As S3's single PUT: larger files are refused. */
export const LOCAL_UPLOAD_MAX_BYTES = 5 * 1024 ** 3;

/**
 * The key the local runtime signs upload URLs with, made once per data folder and kept
 * owner-only beside the data, so a URL stays good across a restart until it expires.
 */
export function localUploadSecret(dir: string): Buffer {
  const file = join(dir, 'upload-secret');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

interface Grant {
  tenant: TenantId;
  audienceId: string;
  /** Epoch milliseconds. */
  exp: number;
}

const mac = (secret: Buffer, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');

/** A token that names one upload and when it stops being accepted, signed by the runtime. */
export function signUploadToken(secret: Buffer, grant: Grant): string {
  const payload = Buffer.from(JSON.stringify([grant.tenant, grant.audienceId, grant.exp])).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/** The upload a token grants, or why it grants none. */
export function verifyUploadToken(secret: Buffer, token: string, now: Date): Grant | 'invalid' | 'expired' {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length) return 'invalid';
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return 'invalid';
  }
  if (!Array.isArray(fields) || fields.length !== 3) return 'invalid';
  const [tenant, audienceId, exp] = fields as [unknown, unknown, unknown];
  if (typeof tenant !== 'string' || typeof audienceId !== 'string' || typeof exp !== 'number') return 'invalid';
  if (!isValidId(tenant) || !isValidId(audienceId)) return 'invalid';
  if (now.getTime() > exp) return 'expired';
  return { tenant, audienceId, exp };
}

/**
 * `<dir>/uploads/<tenant>/<audienceId>.csv`, from ids only (the id rule refuses `/`, `\` and
 * dots-only names), and checked to stay inside `<dir>/uploads` all the same.
 */
export function uploadFile(dir: string, tenant: TenantId, audienceId: string): string {
  if (!isValidId(tenant) || !isValidId(audienceId))
    throw new Error('an upload is named by a tenant and an audience id');
  const root = resolve(dir, 'uploads');
  const file = resolve(root, tenant, `${audienceId}.csv`);
  if (!file.startsWith(root + sep)) throw new Error('an upload stays inside the uploads folder');
  return file;
}

/**
 * Takes one upload the token grants: the body streams to a temporary file renamed into place, so
 * a reader never sees half an upload, and an interrupted one leaves nothing.
 */
export async function receiveUpload(
  dir: string,
  secret: Buffer,
  token: string,
  body: AsyncIterable<Uint8Array>,
  now: Date,
  declaredLength?: number,
): Promise<{ status: 200 | 403 | 413; detail: string }> {
  const grant = verifyUploadToken(secret, token, now);
  if (grant === 'invalid') return { status: 403, detail: 'the upload URL is not valid' };
  if (grant === 'expired') return { status: 403, detail: 'the upload URL has expired' };
  if (declaredLength !== undefined && declaredLength > LOCAL_UPLOAD_MAX_BYTES)
    return { status: 413, detail: 'an upload is at most 5 GiB' };
  const file = uploadFile(dir, grant.tenant, grant.audienceId);
  mkdirSync(resolve(file, '..'), { recursive: true, mode: 0o700 });
  const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
  let size = 0;
  const counted = async function* () {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > LOCAL_UPLOAD_MAX_BYTES) throw new RangeError('too large');
      yield chunk;
    }
  };
  try {
    await pipeline(counted, createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, file);
    return { status: 200, detail: 'uploaded' };
  } catch (err) {
    await rm(partial, { force: true });
    if (err instanceof RangeError) return { status: 413, detail: 'an upload is at most 5 GiB' };
    throw err;
  }
}

/** The identity of a file version: a new upload is a new file (renamed into place), so a new inode. */
const etagOf = (s: { ino: number; size: number; mtimeMs: number }) => `${s.ino}-${s.size}-${Math.round(s.mtimeMs)}`;

/** Audience uploads in the local runtime's folder, uploaded through its signed URLs. */
export class LocalAudienceUploads implements AudienceUploads {
  constructor(
    private readonly dir: string,
    private readonly secret: Buffer,
    /** The running runtime's address (known once it listens). */
    private readonly baseUrl: () => string,
  ) {}

  async uploadUrl(tenant: TenantId, audienceId: string, expiresAt: Date): Promise<string> {
    uploadFile(this.dir, tenant, audienceId);
    const token = signUploadToken(this.secret, { tenant, audienceId, exp: expiresAt.getTime() });
    return `${this.baseUrl()}${LOCAL_UPLOADS_PATH}${token}`;
  }

  async stat(tenant: TenantId, audienceId: string): Promise<UploadedObject | undefined> {
    try {
      const s = await stat(uploadFile(this.dir, tenant, audienceId));
      return { etag: etagOf(s), size: s.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async *read(tenant: TenantId, audienceId: string, from: number, etag: string): AsyncIterable<Uint8Array> {
    const file = uploadFile(this.dir, tenant, audienceId);
    const now = await this.stat(tenant, audienceId);
    if (!now || now.etag !== etag) throw new UploadChangedError(`upload of ${audienceId} changed`);
    if (from >= now.size) return;
    yield* createReadStream(file, { start: from }) as AsyncIterable<Uint8Array>;
  }

  async remove(tenant: TenantId, audienceId: string): Promise<void> {
    await rm(uploadFile(this.dir, tenant, audienceId), { force: true });
  }
}
