import { vi } from 'vitest';

/**
 * The environment that meters as Lambda does, EMF on stdout (any CVM_METER but `local`; the stack
 * sets none): for the tests that read the EMF lines, over the test tables' local file meter.
 */
export const EMF_METER_ENV = { CVM_METER: 'emf' } as const;

/**
 * Drops EMF lines from stdout until the returned function is called, for a file that meters
 * through EMF (EMF_METER_ENV) because some of its tests read the lines: the lines its other calls
 * write are read by nobody. `emfBlobs` still captures what it runs (its spy goes over this).
 */
export function dropUnreadEmf(): () => void {
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (!String(chunk).includes('"_aws"'))
      return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
}

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
