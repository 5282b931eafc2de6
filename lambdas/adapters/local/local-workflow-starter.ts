import { readFileSync } from 'node:fs';
import type { WorkflowStarter } from '#domain/campaign/ports.ts';

type Definition = { States: Record<string, Record<string, unknown>> };
type StepHandler = (event: unknown) => Promise<unknown>;

/** The ASL text with `${Name}` substitutions applied, as CDK's definitionSubstitutions would. */
export function loadDefinition(file: string, substitutions: Record<string, string>): Definition {
  const text = readFileSync(file, 'utf8').replace(/\$\{(\w+)\}/g, (m, name: string) => substitutions[name] ?? m);
  return JSON.parse(text) as Definition;
}

/** Every Task state, nested Map processors included. */
export function taskStates(states: Record<string, Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const [name, state] of Object.entries(states)) {
    if (state['Type'] === 'Task') out.push(name);
    const inner = (state['ItemProcessor'] ?? state['Iterator']) as
      | { States?: Record<string, Record<string, unknown>> }
      | undefined;
    if (inner?.States) out.push(...taskStates(inner.States));
  }
  return out;
}

export interface LocalRunOptions {
  /** Retry waits (ms) instead of IntervalSeconds x BackoffRate: locally they are shortened like the waits. */
  retryIntervalMs: number;
}

/**
 * Runs a workflow's ASL on aws-local-stepfunctions, every Task bound to one local handler (the
 * same function the Lambda exports). `start` returns at once; `settled` follows the runs.
 */
export class LocalWorkflowStarter implements WorkflowStarter {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly definition: Definition,
    private readonly step: StepHandler,
    private readonly opts: LocalRunOptions,
    private readonly onError: (executionId: string, err: unknown) => void = () => {},
  ) {}

  /** Runs one execution to its end (tests await this). */
  async run(input: Record<string, unknown>): Promise<unknown> {
    // loaded on first run, not at import: Lambda bundles leave the package out (LOCAL_ONLY_MODULES
    // in lib/constructs/cvm-function.ts), since a deployed function starts Step Functions instead
    const { StateMachine } = await import('aws-local-stepfunctions');
    const machine = new StateMachine(this.definition as never, { validationOptions: { checkPaths: true } });
    const tasks = taskStates(this.definition.States);
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          tasks.map((t) => [t, (event: unknown) => this.step(event) as never]),
        ),
        retryIntervalOverrides: Object.fromEntries(tasks.map((t) => [t, this.opts.retryIntervalMs])),
      },
    });
    return execution.result;
  }

  async start(input: { tenant: string; campaignId: string; runId?: string }): Promise<{ executionId: string }> {
    const executionId = `local:${input.tenant}:${input.campaignId}${input.runId ? `:${input.runId}` : ''}`;
    const done = this.run(input)
      .catch((err: unknown) => this.onError(executionId, err))
      .finally(() => this.running.delete(executionId));
    this.running.set(executionId, done);
    return { executionId };
  }

  /** Resolves when every execution started so far has ended. */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }
}
