import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { loadMarket } from '#config/markets/index.ts';
import type { DatasetSchema } from '#domain/datasets/dataset-schema.ts';
import { datasetSchema } from '#domain/datasets/index.ts';

/** The shared training file of each dataset schema (the market config's `dataset`). */
const TRAIN_FILES: Record<string, string> = {
  'ibm-telco': 'ibm-telco-churn.train.csv',
  iranian: 'iranian-churn.train.csv',
};

/** The dataset schema a market's files use (its config's `dataset`), and its training file. */
export function datasetOf(market: string): { schema: DatasetSchema; trainFile: string } {
  const name = loadMarket(market).dataset;
  const trainFile = TRAIN_FILES[name];
  if (!trainFile)
    throw new Error(
      `market '${market}' uses dataset '${name}', which has no training file; known: ${Object.keys(TRAIN_FILES).join(', ')}`,
    );
  return { schema: datasetSchema(name), trainFile };
}

/** Parses CSV text into header-keyed rows and checks the schema's columns are all present. */
export function parseDatasetCsv(text: string, schema: DatasetSchema): Record<string, string>[] {
  const rows = parse(text, { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as Record<
    string,
    string
  >[];
  const header = (parse(text, { to_line: 1, bom: true }) as string[][])[0] ?? [];
  const missing = schema.columns.filter((c) => !header.includes(c));
  if (missing.length)
    throw new Error(`input is not a ${schema.name} file: missing column(s) ${missing.map((m) => `'${m}'`).join(', ')}`);
  return rows;
}

export function readDatasetCsv(path: string, schema: DatasetSchema): Record<string, string>[] {
  return parseDatasetCsv(readFileSync(path, 'utf8'), schema);
}
