import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UploadChangedError } from '#domain/campaign/audience-ports.ts';
import { audienceUploadKey, S3_CLIENT_CONFIG, S3AudienceUploads } from './audience-uploads.ts';

const s3mock = mockClient(S3Client);
beforeEach(() => s3mock.reset());

const NOW = new Date('2025-03-12T08:00:00Z');
const client = new S3Client({
  ...S3_CLIENT_CONFIG,
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
});
const uploads = new S3AudienceUploads(client, 'cvm-demo-prod-audiences', () => NOW);

const failure = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status } });

async function bytes(it: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts).toString('utf8');
}

describe('S3 audience uploads', () => {
  it('presigns a PUT of the key built from the ids, valid until expiresAt', async () => {
    const url = new URL(await uploads.uploadUrl('acme', 'aud-1', new Date(NOW.getTime() + 3600_000)));
    expect(url.hostname).toBe('cvm-demo-prod-audiences.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/audiences/acme/aud-1.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // no checksum of an empty body signed in: S3 would refuse the real upload
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
  });

  it('never builds a key from anything but ids', () => {
    expect(audienceUploadKey('acme', 'aud-1')).toBe('audiences/acme/aud-1.csv');
    for (const [t, a] of [
      ['acme', '../other/x'],
      ['..', 'aud-1'],
      ['acme/x', 'aud-1'],
    ])
      expect(() => audienceUploadKey(t!, a!)).toThrow();
  });

  it('reports nothing uploaded on a 404, and the ETag and size of an upload', async () => {
    s3mock.on(HeadObjectCommand).rejectsOnce(failure('NotFound', 404)).resolves({ ETag: '"e1"', ContentLength: 42 });
    expect(await uploads.stat('acme', 'aud-1')).toBeUndefined();
    expect(await uploads.stat('acme', 'aud-1')).toEqual({ etag: '"e1"', size: 42 });
    expect(s3mock.commandCalls(HeadObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'cvm-demo-prod-audiences',
      Key: 'audiences/acme/aud-1.csv',
    });
  });

  it('reads from an offset of the version it first saw (If-Match), and refuses another version', async () => {
    s3mock.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('c1\nc2\n')]) as never });
    expect(await bytes(uploads.read('acme', 'aud-1', 10, '"e1"'))).toBe('c1\nc2\n');
    expect(s3mock.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'cvm-demo-prod-audiences',
      Key: 'audiences/acme/aud-1.csv',
      IfMatch: '"e1"',
      Range: 'bytes=10-',
    });
    s3mock.on(GetObjectCommand).rejects(failure('PreconditionFailed', 412));
    await expect(bytes(uploads.read('acme', 'aud-1', 0, '"e1"'))).rejects.toBeInstanceOf(UploadChangedError);
  });

  it('reads nothing past the end, and turns S3 throttling into a retryable 503', async () => {
    s3mock.on(GetObjectCommand).rejects(failure('InvalidRange', 416));
    expect(await bytes(uploads.read('acme', 'aud-1', 99, '"e1"'))).toBe('');
    s3mock.on(DeleteObjectCommand).rejects(failure('SlowDown', 503));
    await expect(uploads.remove('acme', 'aud-1')).rejects.toMatchObject({ code: 'unavailable' });
  });
});
