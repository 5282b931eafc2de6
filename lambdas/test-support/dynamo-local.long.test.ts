import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning, startDynamoLocal } from './dynamo-local.ts';

describe('the DynamoDB Local supervisor', () => {
  it('brings a SIGKILLed DynamoDB Local back on the same port and data folder, and stop() leaves nothing running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvm-dynamo-'));
    const restarted: number[] = [];
    const dynamo = await startDynamoLocal({ dir, restartAfterMs: 100, onRestart: (pid) => restarted.push(pid) });
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'kept',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
      const first = dynamo.pid;
      process.kill(first, 'SIGKILL');
      for (let i = 0; i < 600 && dynamo.restarts === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(dynamo.restarts).toBe(1);
      expect(restarted).toEqual([dynamo.pid]);
      expect(dynamo.pid).not.toBe(first);
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['kept']);
    } finally {
      client.destroy();
      await dynamo.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(isRunning(dynamo.pid)).toBe(false);
  });
});
