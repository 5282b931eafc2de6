import { describe, expect, it } from 'vitest';
import { checkSource, checkTree } from './dependency-rules.ts';

describe('dependency direction', () => {
  it('holds for the whole lambdas tree', () => {
    expect(checkTree(process.cwd())).toEqual([]);
  });

  it('catches the domain importing the AWS SDK, an adapter, the environment or the wall clock', () => {
    const src = [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { repo } from '#adapters/dynamo/customer-repo.ts';",
      "const table = process.env['TABLE'];",
      'const t = Date.now();',
    ].join('\n');
    expect(checkSource('lambdas/domain/x.ts', src).map((v) => v.line)).toEqual([1, 2, 3, 4]);
  });

  it('lets a handler wire adapters into use cases', () => {
    const src = "import { x } from '#adapters/a.ts';\nimport { y } from '#app/b.ts';";
    expect(checkSource('lambdas/handlers/h.ts', src)).toEqual([]);
  });

  it('keeps use cases away from concrete adapters', () => {
    expect(checkSource('lambdas/app/u.ts', "import { r } from '../adapters/dynamo/customer-repo.ts';")).toHaveLength(1);
  });
});
