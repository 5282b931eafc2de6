/**
 * The post-deploy check: `npm run smoke -- --url <baseUrl> --key <adminKey>` runs a few requests
 * of every kind against a deployment or the local runtime and prints one line per check (`ok <name>`
 * or `FAIL <name>: <why>`), then `N passed, M failed`. Exit 0 when all pass, 1 otherwise, 2 on a
 * usage error.
 *
 * It writes one customer, `smoke-<random>`, with every consent false, sends it one event of a type
 * no trigger listens to, and erases it at the end whatever failed before (Ctrl-C included), so a
 * run leaves nothing behind but the customer's tombstone and never causes a message.
 */
import { apiClient } from '../lib/api/api-client.ts';
import { defineCli } from '../lib/args.ts';
import { smokeSteps } from './checks.ts';
import { baseUrlProblem, httpClient } from './http.ts';
import { exitCodeOf, resultLine, summaryLine } from './results.ts';
import { runSteps } from './run.ts';
import { smokeCustomerId, wrongKey } from './smoke-customer.ts';

/** SQS batching, the processor's cold start and a retry fit well inside this in AWS; locally it takes ~1 s. */
const EVENT_APPLY_WAIT_MS = 30_000;

const cli = defineCli({
  name: 'smoke',
  summary:
    'Checks a deployment (or the local runtime) end to end: health, OpenAPI, 401/403, a customer PUT/GET/export/DELETE ' +
    'round trip on a throw-away smoke customer, one event, one decision and one report read.',
  options: {
    url: {
      type: 'string',
      required: true,
      placeholder: '<baseUrl>',
      description: "the API's base URL: the stack's ApiUrl output, or http://localhost:3000",
      validate: baseUrlProblem,
    },
    key: {
      type: 'string',
      required: true,
      placeholder: '<adminKey>',
      description: "an admin key of the tenant to check (the smoke customer is written to this tenant's data)",
      validate: (key) => (key.trim() ? undefined : 'must not be empty'),
    },
    timeout: {
      type: 'number',
      default: 10,
      min: 1,
      max: 300,
      placeholder: '<seconds>',
      description: 'how long one request may take',
    },
  },
  notes: [
    'Prints one line per check, `ok <name>` or `FAIL <name>: <why>`, then `N passed, M failed`.',
    'Exit status: 0 when every check passed, 1 when one failed, 2 on a usage error.',
  ],
});

await cli.run(async (args) => {
  const customerId = smokeCustomerId();
  const stop = new AbortController();
  // Ctrl-C stops the checks but not the cleanup: the smoke customer is still erased (a second Ctrl-C kills)
  process.once('SIGINT', () => {
    process.stderr.write('interrupted: erasing the smoke customer, Ctrl-C again to abandon it\n');
    stop.abort();
  });
  process.stderr.write(`smoke customer ${customerId} at ${args.url}\n`);

  const steps = smokeSteps({
    api: apiClient(httpClient(new URL(args.url), args.timeout * 1000)),
    key: args.key,
    wrongKey: wrongKey(),
    customerId,
    applyWaitMs: EVENT_APPLY_WAIT_MS,
    stop: stop.signal,
  });
  const results = await runSteps(steps, {
    stop: stop.signal,
    onResult: (result) => process.stdout.write(`${resultLine(result)}\n`),
  });
  process.stdout.write(`${summaryLine(results)}\n`);
  return exitCodeOf(results);
});
