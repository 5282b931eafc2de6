import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type AudienceUploads, UploadChangedError, type UploadedObject } from '#domain/campaign/audience-ports.ts';
import { UnavailableError } from '#domain/errors.ts';
import { isValidId, type TenantId } from '#domain/ids.ts';

/**
 * Checksums only where S3 requires them: by default the SDK signs a CRC32 of the (empty) body
 * into a presigned PUT, and S3 then refuses every real upload to that URL.
 */
export const S3_CLIENT_CONFIG = { requestChecksumCalculation: 'WHEN_REQUIRED' } as const;

export const s3Client = (region?: string) => new S3Client({ ...S3_CLIENT_CONFIG, ...(region ? { region } : {}) });

/** `audiences/<tenant>/<audienceId>.csv`: built from ids here, never from a client's path. */
export function audienceUploadKey(tenant: TenantId, audienceId: string): string {
  if (!isValidId(tenant) || !isValidId(audienceId))
    throw new Error('an upload is named by a tenant and an audience id');
  return `audiences/${tenant}/${audienceId}.csv`;
}

const TRANSIENT = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'ThrottlingException']);

async function s3Call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (TRANSIENT.has((err as { name?: string }).name ?? ''))
      throw new UnavailableError('the upload store is busy, retry shortly', 2, { cause: err });
    throw err;
  }
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

/**
 * Audience uploads in the market's bucket: a presigned PUT per audience (its key fixed in the
 * signature, so the client chooses no path), read back by range and ETag.
 */
export class S3AudienceUploads implements AudienceUploads {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly now: () => Date,
  ) {}

  async uploadUrl(tenant: TenantId, audienceId: string, expiresAt: Date): Promise<string> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: audienceUploadKey(tenant, audienceId) });
    const expiresIn = Math.max(1, Math.round((expiresAt.getTime() - this.now().getTime()) / 1000));
    return getSignedUrl(this.s3, command, { expiresIn });
  }

  async stat(tenant: TenantId, audienceId: string): Promise<UploadedObject | undefined> {
    try {
      const out = await s3Call(() =>
        this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: audienceUploadKey(tenant, audienceId) })),
      );
      return { etag: out.ETag ?? '', size: out.ContentLength ?? 0 };
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async *read(tenant: TenantId, audienceId: string, from: number, etag: string): AsyncIterable<Uint8Array> {
    let body: AsyncIterable<Uint8Array> | undefined;
    try {
      const out = await s3Call(() =>
        this.s3.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: audienceUploadKey(tenant, audienceId),
            IfMatch: etag,
            ...(from > 0 ? { Range: `bytes=${from}-` } : {}),
          }),
        ),
      );
      body = out.Body as AsyncIterable<Uint8Array> | undefined;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412 || notFound(err))
        throw new UploadChangedError(`upload of ${audienceId} changed`, { cause: err });
      // a range starting at the end of the object: nothing more to read
      if (e.name === 'InvalidRange' || e.$metadata?.httpStatusCode === 416) return;
      throw err;
    }
    if (body) yield* body;
  }

  async remove(tenant: TenantId, audienceId: string): Promise<void> {
    await s3Call(() =>
      this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: audienceUploadKey(tenant, audienceId) })),
    );
  }
}
