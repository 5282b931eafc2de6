import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '#domain/campaign/ports.ts';
import { UnavailableError } from '#domain/errors.ts';

/**
 * Starts the campaign state machine; the execution is named after the campaign (and a scheduled
 * campaign's run), so a retried start is refused, not doubled.
 */
export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: { tenant: string; campaignId: string; runId?: string }): Promise<{ executionId: string }> {
    try {
      const out = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: `${input.tenant}-${input.campaignId}${input.runId ? `-${input.runId}` : ''}`
            .replace(/[^A-Za-z0-9_-]/g, '_')
            .slice(0, 80),
          input: JSON.stringify(input),
        }),
      );
      return { executionId: out.executionArn ?? '' };
    } catch (err) {
      const name = (err as { name?: string }).name ?? '';
      if (name === 'ThrottlingException' || name === 'ServiceUnavailable')
        throw new UnavailableError('the workflow service is busy, retry shortly', 2, { cause: err });
      throw err;
    }
  }
}

export const sfnClient = (region?: string) => new SFNClient({ ...(region ? { region } : {}) });
