import { describe, expect, it } from 'vitest';
import { campaignStepInputOf } from './step-input.ts';

describe("the campaign workflow's input, parsed where it comes in", () => {
  it('takes each step the ASL and the scheduler send, dropping nothing a step reads', () => {
    const campaign = { tenant: 'acme', campaignId: 'c-1' };
    for (const input of [
      { step: 'prepare', ...campaign },
      { step: 'select', ...campaign, segment: 0, totalSegments: 4 },
      { step: 'selected', ...campaign, results: [{ segment: 0, audience: 3, control: 1, treatment: 2, pilot: 1 }] },
      { step: 'gate', ...campaign, phase: 'pilot' },
      { step: 'contact', ...campaign, phase: 'rollout', shard: 3, totalShards: 8 },
      { step: 'measure', ...campaign, phase: 'pilot', totalShards: 8 },
      { step: 'finalize', ...campaign, status: 'stopped', reason: 'no-uplift' },
      { step: 'start-run', ...campaign, at: '2026-12-01T08:00:00.000Z' },
    ])
      expect(campaignStepInputOf(input)).toEqual(input);
  });

  it("takes a failed segment's Map output and a Catch's error as Step Functions shape them", () => {
    const input = campaignStepInputOf({
      step: 'selected',
      tenant: 'acme',
      campaignId: 'c-1',
      results: [{ segment: 1, error: { Error: 'CampaignTransientError', Cause: 'throttled' } }],
    });
    expect(input).toMatchObject({ results: [{ segment: 1 }] });
    const failed = campaignStepInputOf({
      step: 'finalize',
      tenant: 'acme',
      campaignId: 'c-1',
      status: 'failed',
      error: { Error: 'States.Timeout', Cause: '' },
    });
    expect(failed).toMatchObject({ error: { Error: 'States.Timeout' } });
  });

  it('refuses a malformed input with a CampaignStepError naming the field, not a TypeError later', () => {
    for (const [event, field] of [
      [null, '(input)'],
      [{ step: 'select', tenant: 'acme', campaignId: 'c-1', segment: 0 }, 'totalSegments'],
      [{ step: 'contact', tenant: 'acme', campaignId: 'c-1', phase: 'beta', shard: 0, totalShards: 1 }, 'phase'],
      [{ step: 'launch', tenant: 'acme', campaignId: 'c-1' }, 'step'],
      [{ step: 'prepare', tenant: 'acme' }, 'campaignId'],
    ] as const) {
      let caught: unknown;
      try {
        campaignStepInputOf(event);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(event)).toMatchObject({ name: 'CampaignStepError' });
      expect((caught as Error).message, JSON.stringify(event)).toContain(`${field}:`);
    }
  });
});
