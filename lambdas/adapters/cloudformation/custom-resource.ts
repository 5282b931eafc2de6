/**
 * The CloudFormation custom-resource protocol for a function that is its own provider (no
 * `custom_resources.Provider` framework): CloudFormation invokes it with a request and then waits,
 * up to an hour, until the function PUTs the outcome to the request's presigned `ResponseURL`.
 * So every path answers, a failure and a time-out included.
 */
export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  ResourceType: string;
  /** Absent on Create: the function names the resource. */
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}

/** What the Lambda context offers that matters here. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface CustomResourceOutcome {
  status: 'SUCCESS' | 'FAILED';
  physicalResourceId: string;
  reason?: string;
}

/** CloudFormation takes a response body of at most 4 KB; the reason is cut well before. */
const MAX_REASON = 1000;

/** PUTs the outcome to the presigned URL, as cfn-response does (an empty content type: S3 signs none). */
export async function answer(event: CustomResourceEvent, outcome: CustomResourceOutcome): Promise<void> {
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: (outcome.reason ?? outcome.status).slice(0, MAX_REASON),
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const res = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error(`CloudFormation refused the response: HTTP ${res.status}`);
}

export interface CustomResourceHandlers {
  /** The resource's name on Create; Update and Delete keep the one CloudFormation holds, so it never changes. */
  physicalResourceId(event: CustomResourceEvent): string;
  /** Create and Update. */
  apply(properties: Record<string, unknown>): Promise<void>;
  /** Delete; nothing unless given. */
  remove?(properties: Record<string, unknown>): Promise<void>;
}

/** Time kept back to send FAILED before the function itself times out. */
const ANSWER_MARGIN_MS = 5_000;

/** A Lambda handler that runs the request and always answers: SUCCESS, or FAILED with the error's message. */
export function customResourceHandler(handlers: CustomResourceHandlers) {
  return async (event: CustomResourceEvent, context?: InvocationContext): Promise<void> => {
    const physicalResourceId = event.PhysicalResourceId ?? handlers.physicalResourceId(event);
    const work = async () => {
      if (event.RequestType !== 'Delete') await handlers.apply(event.ResourceProperties);
      else await handlers.remove?.(event.ResourceProperties);
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      if (!context) return;
      const ms = Math.max(0, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS);
      timer = setTimeout(() => reject(new Error(`${event.RequestType} did not finish in time`)), ms);
    });
    let outcome: CustomResourceOutcome;
    try {
      await Promise.race([work(), deadline]);
      outcome = { status: 'SUCCESS', physicalResourceId };
    } catch (err) {
      outcome = { status: 'FAILED', physicalResourceId, reason: `${event.RequestType} failed: ${messageOf(err)}` };
    } finally {
      clearTimeout(timer);
    }
    await answer(event, outcome);
  };
}

const messageOf = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
