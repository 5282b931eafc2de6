import { vi } from 'vitest';

/** A CloudWatch metric as it is addressed: what a dashboard or an alarm must name to read it. */
export interface MetricIdentity {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

type Emf = {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
} & Record<string, unknown>;

/** EMF blobs written to stdout while `run` runs (Powertools Metrics writes there, one JSON line each). */
export async function emfBlobs(run: () => unknown): Promise<Emf[]> {
  const writes: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return writes
    .join('')
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Emf);
}

/** Every metric a blob creates: one per metric name and dimension set of each directive. */
export function identitiesOf(blob: Emf): MetricIdentity[] {
  return blob._aws.CloudWatchMetrics.flatMap((d) =>
    d.Dimensions.flatMap((set) =>
      d.Metrics.map((m) => ({
        namespace: d.Namespace,
        name: m.Name,
        dimensions: Object.fromEntries(set.map((k) => [k, String(blob[k])])),
      })),
    ),
  );
}

/** The metrics emitted while `run` runs. */
export async function emittedMetrics(run: () => unknown): Promise<MetricIdentity[]> {
  return (await emfBlobs(run)).flatMap(identitiesOf);
}
