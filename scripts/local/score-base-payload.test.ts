import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import type { SegmentStatus } from '#app/scoring.ts';
import { localExecutionContext, scoreBaseDefinition } from './score-base.ts';

/** Step Functions' limit on a state's input or output, and on a Map's gathered results. */
const PAYLOAD_LIMIT = 256 * 1024;
const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '');

describe('score-base payloads at the most segments the config allows (1,000)', () => {
  it('stay far under 256 KiB: each child hands back its segment number, the report gets the run, not the results', async () => {
    const totalSegments = 1000;
    const input = { tenant: 'consumer', totalSegments };
    const reportInputs: unknown[] = [];
    const segmentInputs: unknown[] = [];
    const machine = new StateMachine(scoreBaseDefinition() as never, { validationOptions: { checkPaths: true } });
    const execution = machine.run(input, {
      context: localExecutionContext(input, 'nightly-2026-12-06'),
      overrides: {
        taskResourceLocalHandlers: {
          // the handler's status at its largest; every 9th segment fails with a 32 KB cause instead
          ScoreSegment: async (event) => {
            segmentInputs.push(event);
            const { segment } = event as { segment: number };
            if (segment % 9 === 4) throw Object.assign(new Error('x'.repeat(32_768)), { name: 'SegmentError' });
            const status: SegmentStatus = { segment, scored: 9_000_000, written: 9_000_000, skipped: 9_000_000 };
            return status as never;
          },
          Report: async (event) => {
            reportInputs.push(event);
            return { tenant: 'consumer' } as never;
          },
        },
      },
    });
    const outputs = new Map<string, number>();
    const inputs = new Map<string, number>();
    let gathered = 0;
    let caught = 0;
    for await (const e of execution.eventLogs) {
      if (e.type !== 'StateExited') continue;
      const { name, input: stateInput, output } = e.state;
      // a caught failure's state (input and error, its Cause up to 32 KiB in AWS) goes to SegmentFailed, within the child
      if (name === 'ScoreSegment' && typeof output === 'object' && output !== null && 'error' in output) {
        caught = Math.max(caught, bytes(output));
        continue;
      }
      if (name === 'SegmentFailed') caught = Math.max(caught, bytes(stateInput));
      else inputs.set(name, Math.max(inputs.get(name) ?? 0, bytes(stateInput)));
      outputs.set(name, Math.max(outputs.get(name) ?? 0, bytes(output)));
      // a child's output is what a Distributed Map gathers into its result
      if (name === 'ScoreSegment' || name === 'SegmentFailed') gathered += bytes(output) + 1;
    }
    await execution.result;

    expect(segmentInputs).toHaveLength(totalSegments);
    expect(segmentInputs[7]).toEqual({ tenant: 'consumer', run: 'nightly-2026-12-06', totalSegments, segment: 7 });
    expect(reportInputs).toEqual([{ tenant: 'consumer', run: 'nightly-2026-12-06', totalSegments }]);
    expect(bytes(reportInputs[0])).toBeLessThan(100);
    // a child's output: its segment number, and on failure a flag (the 32 KB cause stays in its history)
    expect(outputs.get('ScoreSegment')).toBeLessThanOrEqual('{"segment":999}'.length);
    expect(outputs.get('SegmentFailed')).toBeLessThanOrEqual('{"segment":999,"failed":true}'.length);
    expect(caught).toBeGreaterThan(32_768);
    expect(caught).toBeLessThan(PAYLOAD_LIMIT / 4);
    // were the Map's results kept (they are dropped: ResultPath null), 1,000 children would make ~20 KB
    expect(gathered).toBeLessThan(PAYLOAD_LIMIT / 8);
    // the largest state payload: the plan's 1,000 segment numbers (~4 KB), whatever the models or the base
    const largest = Math.max(...inputs.values(), ...outputs.values());
    expect(largest).toBeLessThan(PAYLOAD_LIMIT / 32);
    expect(outputs.get('ScoreSegments')).toBe(inputs.get('ScoreSegments'));
  }, 60_000);
});
