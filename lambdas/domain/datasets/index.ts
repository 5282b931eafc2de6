import type { DatasetSchema } from './dataset-schema.ts';
import { ibmTelco } from './ibm-telco.ts';
import { iranian } from './iranian.ts';

const SCHEMAS: Record<string, DatasetSchema> = { [ibmTelco.name]: ibmTelco, [iranian.name]: iranian };

export function datasetSchema(name: string): DatasetSchema {
  const schema = SCHEMAS[name];
  if (!schema) throw new Error(`unknown dataset schema '${name}'; known: ${Object.keys(SCHEMAS).join(', ')}`);
  return schema;
}
