import { physicalName, type MarketConfig } from '#config/market-config.ts';

/**
 * Where the SageMaker training workflow (model-training.ts) keeps a model's training in the
 * market's model bucket, without the CDK, so the script that writes the training files
 * (scripts/ml/sagemaker-training-data.ts) names the same keys and starts in a moment.
 */

/** A model's training: `models/<market>/<model>/training/`. */
export const trainingPrefix = (market: string, model: string): string => `models/${market}/${model}/training/`;
/** What a team uploads: one `train.csv` per head. */
export const trainingInputPrefix = (market: string, model: string, head: string): string =>
  `${trainingPrefix(market, model)}input/${head}/`;
/** Where SageMaker writes `<job name>/output/model.tar.gz`. */
export const trainingOutputPrefix = (market: string, model: string, head: string): string =>
  `${trainingPrefix(market, model)}output/${head}/`;
/** The record of each run: its job names and artifacts (`<run id>.json`). */
export const trainingRunsPrefix = (market: string, model: string): string => `${trainingPrefix(market, model)}runs/`;

/** The model bucket's name in an account: the account makes the global name unique. */
export const modelBucketNameIn = (config: Pick<MarketConfig, 'code' | 'stage'>, account: string): string =>
  physicalName(config, 'models', account);
