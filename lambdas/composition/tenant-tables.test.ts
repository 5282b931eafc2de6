import { describe, expect, it } from 'vitest';
import { decisionTableName, tenantTableName } from '#adapters/dynamo/table-design.ts';
import { decisionTablesOf, ownedTablesOf } from './tenant-tables.ts';

describe("a tenant's tables", () => {
  const TENANT_TABLES = { acme: tenantTableName('demo-dev', 'acme'), globex: tenantTableName('demo-dev', 'globex') };

  it('take the decision logs the stack names, else the ones named after each tenant table', () => {
    expect(decisionTablesOf({ TENANT_TABLES, DECISION_TABLES: { acme: 'set-by-stack' } })).toEqual({
      acme: 'set-by-stack',
    });
    expect(decisionTablesOf({ TENANT_TABLES })).toEqual({
      acme: decisionTableName('demo-dev', 'acme'),
      globex: decisionTableName('demo-dev', 'globex'),
    });
  });

  it("meter both a tenant's table and its decision log to that tenant", () => {
    expect(ownedTablesOf({ TENANT_TABLES })).toEqual({
      acme: ['cvm-demo-dev-acme', 'cvm-demo-dev-acme-decisions'],
      globex: ['cvm-demo-dev-globex', 'cvm-demo-dev-globex-decisions'],
    });
  });
});
