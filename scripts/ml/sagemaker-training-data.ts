/**
 * Writes a model's training files for the SageMaker training workflow (`models.awsTraining`):
 *
 *   npm run train -- demo                      # or: npx tsx scripts/ml/features.ts --market demo
 *   npm run sagemaker-training-data -- --market demo --model churn [--work .local/ml]
 *   aws s3 sync .local/sagemaker/models/demo/churn/training/input s3://<bucket>/models/demo/churn/training/input
 *
 * From each head's `features.csv` (id, features in spec order, label, a header; what
 * scripts/ml/features.ts writes for train.py) it writes `train.csv` in the built-in XGBoost
 * container's CSV: the label first, then the features in the same order, no header, no id, a
 * missing value an empty cell (which xgboost's CSV reader takes as missing, as train.py's NaN).
 * The files land under `<out>/models/<market>/<model>/training/input/<head>/`, the keys the
 * workflow reads in the model bucket, so one `aws s3 sync` uploads them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { modelBucketNameIn, trainingInputPrefix, trainingPrefix } from '../../lib/constructs/training-layout.ts';
import { defineCli, InputFileError, marketAt, marketOption, stageOption, UsageError } from '../lib/args.ts';

/**
 * features.csv -> the container's train.csv. The features and the label are numbers, never
 * quoted, so a line's last cells are read from the right whatever its id holds.
 */
export function containerCsv(featuresCsv: string): string {
  const lines = featuresCsv.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0]?.split(',') ?? [];
  if (header[0] !== 'id' || header.at(-1) !== 'label')
    throw new Error(`expected a header 'id,<features>,label', not '${lines[0] ?? ''}'`);
  const width = header.length - 1; // the features and the label
  return lines
    .slice(1)
    .map((line, i) => {
      const cells = line.split(',');
      if (cells.length < width + 1) throw new Error(`row ${i + 1} has ${cells.length} cells, the header ${width + 1}`);
      const values = cells.slice(-width);
      return [values.at(-1), ...values.slice(0, -1)].join(',');
    })
    .join('\n')
    .concat('\n');
}

interface Job {
  heads: Array<{ name: string; dir: string }>;
}

/** Writes the train.csv of each head of `model` and returns the directory to sync. */
export function writeTrainingData(work: string, out: string, market: string, model: string): string {
  const dir = join(work, market, model);
  let job: Job;
  try {
    job = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8')) as Job;
  } catch {
    throw new InputFileError(
      `${join(dir, 'job.json')}: no such file (run npx tsx scripts/ml/features.ts --market ${market} --out ${work} first)`,
    );
  }
  for (const head of job.heads) {
    const target = join(out, trainingInputPrefix(market, model, head.name));
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'train.csv'), containerCsv(readFileSync(join(dir, head.dir, 'features.csv'), 'utf8')));
  }
  return join(out, `${trainingPrefix(market, model)}input`);
}

const cli = defineCli({
  name: 'sagemaker-training-data',
  summary: "Writes a model's train.csv files for the SageMaker training workflow, ready for aws s3 sync.",
  options: {
    market: marketOption(),
    stage: stageOption(),
    model: { type: 'string', required: true, placeholder: '<name>', description: 'a model the market pins' },
    work: { type: 'string', default: '.local/ml', placeholder: '<dir>', description: 'where features.ts wrote' },
    out: { type: 'string', default: '.local/sagemaker', placeholder: '<dir>', description: 'where to write' },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await cli.run((args) => {
    const config = marketAt(args.market, args.stage);
    if (!config.scoring.models[args.model])
      throw new UsageError(
        `--model must be one of ${Object.keys(config.scoring.models).join(', ')}, not '${args.model}'`,
      );
    const local = writeTrainingData(args.work, args.out, config.code, args.model);
    const bucket = modelBucketNameIn(config, config.aws.account ?? '<account>');
    const prefix = `${trainingPrefix(config.code, args.model)}input`;
    process.stdout.write(`wrote ${local}\nupload: aws s3 sync ${local} s3://${bucket}/${prefix} --delete\n`);
  });
}
