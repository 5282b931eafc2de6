import { describe, expect, it } from 'vitest';
import { emfBlobs } from '../../test-support/emf.ts';
import { deliveryMetricName, deliveryRecorderFromEnv, powertoolsDeliveryRecorder } from './delivery-metrics.ts';

describe('delivery metrics', () => {
  it('count each outcome per tenant, and the outcomes with a reason per reason, one own dimension each', async () => {
    const record = powertoolsDeliveryRecorder('demo');
    const blobs = await emfBlobs(() =>
      record({
        tenant: 'consumer',
        counts: {
          sms: { sent: { '-': 3 }, skipped: { 'opted-out': 1 } },
          'call-centre': { deferred: { 'daily-cap': 2 }, sent: { '-': 1 } },
        },
      }),
    );
    const seen = blobs.map((b) => {
      const name = b._aws.CloudWatchMetrics[0]!.Metrics[0]!.Name;
      const own = b['tenant'] !== undefined ? `tenant=${b['tenant']}` : `reason=${b['reason']}`;
      return `${name} ${own} ${b[name]} (market ${b['market']})`;
    });
    expect(seen.sort()).toEqual([
      'MessageDeferred reason=daily-cap 2 (market demo)',
      'MessageDeferred tenant=consumer 2 (market demo)',
      'MessageSent tenant=consumer 4 (market demo)',
      'MessageSkipped reason=opted-out 1 (market demo)',
      'MessageSkipped tenant=consumer 1 (market demo)',
    ]);
    expect(deliveryMetricName('dead-lettered')).toBe('MessageDeadLettered');
  });

  it('writes nothing in the local runtime', async () => {
    const record = deliveryRecorderFromEnv({ MARKET: 'demo', CVM_METER: 'local' });
    expect(await emfBlobs(() => record({ tenant: 'consumer', counts: { sms: { sent: { '-': 1 } } } }))).toEqual([]);
  });
});
