import { AUTH_ERRORS, route } from '../route-spec.ts';
import { AudienceParams, AudienceUpload, AudienceView } from '../schemas/audience.ts';

/** Uploaded campaign audiences, served by a function of their own (the only one with S3 rights). */
export const AUDIENCE_ROUTES = [
  route({
    id: 'createAudience',
    method: 'POST',
    path: '/v1/audiences',
    fn: 'audiences',
    scope: 'admin',
    tag: 'campaigns',
    summary: 'Create an uploaded audience: its id and a URL to PUT the list of customer ids to',
    description:
      'Creates an audience awaiting its upload and answers its id with a URL to PUT the list to, valid for an hour: one customer id per line (a one-column CSV with an optional `customerId` header), any size up to 5 GiB. Then `GET /v1/audiences/{audienceId}` reads it and answers `ready` with its size and rejected lines; a campaign takes it as `audience: {"audienceId": ...}`. Takes no body.',
    responses: { 201: { description: 'Created, awaiting its upload', schema: AudienceUpload } },
    errors: [...AUTH_ERRORS],
  }),
  route({
    id: 'getAudience',
    method: 'GET',
    path: '/v1/audiences/{audienceId}',
    fn: 'audiences',
    scope: 'admin',
    tag: 'campaigns',
    summary: "An uploaded audience's status: awaiting-upload, processing, ready (size, rejected) or failed",
    description:
      "Reads the upload on the first call that finds it: each id is checked against the id rule (a line that is not an id counts in `rejected`, the first 20 line numbers in `rejectedLines`) and stored in the tenant's table; a call reads for up to 20 seconds, so a large list answers `processing` with `linesRead` and the next call goes on. `ready` gives the number of distinct ids; the file is then deleted. A list replaced while it is read, or holding no valid id, is `failed` with a `reason`. Another tenant's audience is not found. An audience expires at `retainedUntil` (market `retention.audienceDays` after its creation, 90 by default): after it the audience answers 404 with a problem+json naming the expiry (the same status as once the table's TTL has deleted it, a few days later), campaigns refuse it, and its ids are deleted.",
    params: AudienceParams,
    responses: { 200: { description: 'The audience', schema: AudienceView } },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
];
