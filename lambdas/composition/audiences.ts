import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { DynamoAudienceStore } from '#adapters/dynamo/audience-store.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { LocalAudienceUploads, localUploadSecret } from '#adapters/local/local-uploads.ts';
import { S3AudienceUploads, s3Client } from '#adapters/s3/audience-uploads.ts';
import { DEFAULT_AUDIENCE_SETTINGS, type AudiencePorts } from '#app/audiences.ts';
import type { AudienceStore, AudienceUploads } from '#domain/campaign/audience-ports.ts';
import { DEFAULT_AUDIENCE_DAYS, MIN_AUDIENCE_DAYS } from '#domain/campaign/retention.ts';
import type { Clock } from '#domain/clock.ts';
import { UnavailableError } from '#domain/errors.ts';
import type { PlatformEnv } from './platform-env.ts';
import { platformBase, randomResourceId } from './platform.ts';

const AudienceEnv = z.object({
  /** The market's audience upload bucket (AWS); locally uploads go to `<CVM_LOCAL_DIR>/uploads`. */
  AUDIENCE_BUCKET: z.string().min(1).optional(),
  CVM_LOCAL_DIR: z.string().min(1).optional(),
  AWS_REGION: z.string().optional(),
  /** Market config `retention.audienceDays`: how long an audience and its ids are kept. */
  AUDIENCE_RETENTION_DAYS: z.coerce.number().int().min(MIN_AUDIENCE_DAYS).max(3650).default(DEFAULT_AUDIENCE_DAYS),
});

const RuntimeFile = z.looseObject({ baseUrl: z.string().optional() });

/** The running local runtime's address, from `<dir>/runtime.json` (written once it listens). */
function localBaseUrl(dir: string): () => string {
  let known: string | undefined;
  return () => {
    if (known) return known;
    const file = join(dir, 'runtime.json');
    const baseUrl = existsSync(file)
      ? RuntimeFile.safeParse(JSON.parse(readFileSync(file, 'utf8'))).data?.baseUrl
      : undefined;
    if (!baseUrl) throw new UnavailableError('the local runtime is still starting; retry shortly');
    return (known = baseUrl);
  };
}

/** Neither a bucket nor a local folder: creating an audience answers 503, nothing else breaks. */
const NO_UPLOADS: AudienceUploads = {
  uploadUrl: () => Promise.reject(new UnavailableError('no audience upload store is configured (AUDIENCE_BUCKET)')),
  stat: () => Promise.resolve(undefined),
  read: () => {
    throw new UnavailableError('no audience upload store is configured (AUDIENCE_BUCKET)');
  },
  remove: () => Promise.resolve(),
};

/** S3 in AWS (AUDIENCE_BUCKET), the local runtime's folder locally. */
export function audienceUploadsFor(clock: Clock, source: NodeJS.ProcessEnv = process.env): AudienceUploads {
  const env = AudienceEnv.parse(source);
  if (env.AUDIENCE_BUCKET)
    return new S3AudienceUploads(s3Client(env.AWS_REGION), env.AUDIENCE_BUCKET, () => clock.now());
  if (env.CVM_LOCAL_DIR) {
    const dir = env.CVM_LOCAL_DIR;
    return new LocalAudienceUploads(dir, localUploadSecret(dir), localBaseUrl(dir));
  }
  return NO_UPLOADS;
}

/**
 * The audiences API function's ports, built once per container: its store and the audit trail on
 * the platform's one metered DynamoDB client, and the uploads. Nothing of the campaigns' (the
 * workflow, decisioning, the models), so the S3 client is the only SDK client besides DynamoDB.
 */
export function audienceApiPortsFor(env: PlatformEnv): AudiencePorts {
  const { db, clock, tableOf } = platformBase(env);
  return audiencePortsFor({
    audiences: new DynamoAudienceStore(db, tableOf),
    clock,
    randomId: randomResourceId,
    audit: new DynamoAuditLog(db, tableOf),
  });
}

/** The ports of the audience routes, on stores the caller built (the API function's, or a test's). */
export function audiencePortsFor(deps: {
  audiences: AudienceStore;
  clock: Clock;
  randomId: () => string;
  audit?: AudiencePorts['audit'];
}): AudiencePorts {
  return {
    audiences: deps.audiences,
    uploads: audienceUploadsFor(deps.clock),
    clock: deps.clock,
    elapsedMs: () => performance.now(),
    randomId: deps.randomId,
    settings: {
      ...DEFAULT_AUDIENCE_SETTINGS,
      retentionDays: AudienceEnv.parse(process.env).AUDIENCE_RETENTION_DAYS,
    },
    ...(deps.audit ? { audit: deps.audit } : {}),
  };
}
