import * as z from 'zod';
import { AUDIENCE_SHARDS } from '#domain/campaign/audience-upload.ts';
import { Id } from '#edge/ids.ts';

export const AudienceParams = z.strictObject({ audienceId: Id });

export const AudienceUpload = z
  .object({
    audienceId: z.string(),
    uploadUrl: z.string().meta({
      description:
        'PUT the list here, once, before `expiresAt`: one customer id per line (a one-column CSV; an optional first line `customerId` is a header), UTF-8. In AWS a presigned S3 URL (send no other headers than Content-Type and Content-Length); locally a URL of the local runtime. At most 5 GiB.',
    }),
    expiresAt: z.string().meta({ description: 'When the upload URL stops being accepted' }),
  })
  .meta({ id: 'AudienceUpload' });

export const AudienceView = z
  .object({
    audienceId: z.string(),
    status: z.enum(['awaiting-upload', 'processing', 'ready', 'failed']).meta({
      description:
        '`awaiting-upload` until a GET finds the upload; `processing` while it is read (a GET reads for up to 20 s and the next one goes on); `ready` to use in a campaign; `failed` with `reason`',
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    expiresAt: z.string().meta({ description: 'When the upload URL stops being accepted' }),
    retainedUntil: z.string().optional().meta({
      description:
        'When the audience expires (market `retention.audienceDays` after its creation): after it GET answers 404, a campaign naming it is refused (400 at creation, a failed run when a scheduled run starts later), and the table deletes it and every stored id. A repeating campaign on it must end (`schedule.until`) before then. Absent on an audience created before retention.',
    }),
    size: z.number().int().optional().meta({ description: 'Distinct valid customer ids (ready)' }),
    rejected: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Lines that were not a customer id (blank lines and the header are not counted)' }),
    rejectedLines: z
      .array(z.number().int())
      .optional()
      .meta({ description: 'The first 20 rejected line numbers, 1-based' }),
    linesRead: z.number().int().optional().meta({ description: 'Lines read so far (processing)' }),
    reason: z.string().optional().meta({ description: 'Why the audience failed' }),
  })
  .meta({
    id: 'Audience',
    description: `An uploaded audience. Its ids are stored in the tenant's table in ${AUDIENCE_SHARDS} partitions, which a campaign's parallel selection reads a segment at a time; the uploaded file is deleted once read.`,
  });
