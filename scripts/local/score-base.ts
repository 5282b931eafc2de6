/**
 * Runs the score-base workflow locally: the same ASL as in AWS (lib/workflows/score-base.asl.json)
 * on aws-local-stepfunctions, its tasks bound to the same handler functions, against the local
 * runtime's DynamoDB (the running `npm start`'s, or its own on .local/).
 *
 *   npm run score-base -- --market demo --tenant consumer [--segments 4]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import type { ScoreBaseReport } from '#app/scoring.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import { handler as reportHandler } from '#handlers/score-report.ts';
import { handler as segmentHandler } from '#handlers/score-segment.ts';
import { defineCli, marketAt, marketOption, stageOption, tenantOf } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';
import { ticker } from '../lib/progress.ts';

export const SCORE_BASE_ASL = fileURLToPath(new URL('../../lib/workflows/score-base.asl.json', import.meta.url));

/** Substitutions as the stack passes them; locally any well-formed Lambda ARN will do. */
export const LOCAL_SUBSTITUTIONS = {
  ScoreSegmentFn: 'arn:aws:lambda:us-east-1:000000000000:function:cvm-local-score-segment',
  ScoreReportFn: 'arn:aws:lambda:us-east-1:000000000000:function:cvm-local-score-report',
};

export function scoreBaseDefinition(
  substitutions: Record<string, string> = LOCAL_SUBSTITUTIONS,
): Record<string, unknown> {
  const text = readFileSync(SCORE_BASE_ASL, 'utf8').replace(
    /\$\{(\w+)\}/g,
    (m, name: string) => substitutions[name] ?? m,
  );
  return JSON.parse(text) as Record<string, unknown>;
}

/** The environment the stack gives the score-base functions, for this market's local tables. */
export function localScoringEnv(
  market: MarketConfig,
  endpoint: string,
  tenantTables?: Record<string, string>,
): Record<string, string> {
  return {
    MARKET: market.code,
    TENANT_TABLES: JSON.stringify(
      tenantTables ??
        Object.fromEntries(market.tenants.map((t) => [t.id, tenantTableName(deploymentOf(market), t.id)])),
    ),
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'local',
    MODEL_PINS: JSON.stringify(market.scoring.models),
    WRITE_DELTA: String(market.scoring.writeDelta),
    PSI_TOP_FEATURES: String(market.models.psiTopFeatures),
    SCORING_MODE: 'embedded',
  };
}

/**
 * The context object AWS gives an execution, as far as the ASL reads it: the execution's name is
 * the run the segments keep their outcomes under (a UUID, as AWS names an execution started
 * without one).
 */
export function localExecutionContext(input: { tenant: string; totalSegments: number }, name: string = randomUUID()) {
  return {
    Execution: {
      Id: `arn:aws:states:us-east-1:000000000000:execution:cvm-local-score-base:${name}`,
      Name: name,
      Input: input,
      StartTime: new Date().toISOString(),
    },
  };
}

/** Runs the ASL with its tasks bound to the handlers; the handlers read process.env as in Lambda. */
export async function runScoreBase(
  input: { tenant: string; totalSegments: number },
  env: Record<string, string>,
  onSegmentDone: () => void = () => {},
  executionName?: string,
): Promise<ScoreBaseReport> {
  Object.assign(process.env, env);
  const machine = new StateMachine(scoreBaseDefinition() as never, { validationOptions: { checkPaths: true } });
  const execution = machine.run(input, {
    context: localExecutionContext(input, executionName),
    overrides: {
      taskResourceLocalHandlers: {
        ScoreSegment: async (event) => {
          const result = await segmentHandler(event);
          onSegmentDone();
          return result as never;
        },
        Report: (event) => reportHandler(event) as never,
      },
    },
  });
  return (await execution.result) as unknown as ScoreBaseReport;
}

const cli = defineCli({
  name: 'score-base',
  summary:
    "Runs the score-base workflow locally (the same ASL as in AWS, on aws-local-stepfunctions) against the local runtime's DynamoDB: scores a tenant's whole base and prints the report.",
  options: {
    market: marketOption(),
    stage: stageOption(),
    tenant: { type: 'string', required: true, placeholder: '<id>', description: 'the tenant whose base is scored' },
    segments: {
      type: 'number',
      integer: true,
      min: 1,
      max: 1000,
      description: "parallel scan segments (default: the market's, at most 4)",
    },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = cli.parse();
  const market = marketAt(args.market, args.stage);
  const tenant = tenantOf(market, args.tenant);
  const totalSegments = args.segments ?? Math.min(market.scoring.totalSegments, 4);
  const dynamo = await localDynamo(market);
  try {
    const started = performance.now();
    const progress = ticker('scoring the base');
    let segmentsDone = 0;
    progress.note(`0/${totalSegments} segments`);
    const report = await runScoreBase({ tenant, totalSegments }, localScoringEnv(market, dynamo.endpoint), () =>
      progress.note(`${++segmentsDone}/${totalSegments} segments`),
    );
    progress.stop();
    const { histograms: _h, ...summary } = report;
    console.log(
      JSON.stringify({ ...summary, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) }, null, 2),
    );
  } finally {
    await dynamo.stop();
  }
}
