/**
 * Where each model head is served. One name per head, `<model>/<head>` (`churn/churn`,
 * `cross-sell/tech-support`, `nps/nps`): the scoring construct builds the map and hands it to the
 * adapter as SAGEMAKER_ENDPOINTS.
 *
 * - serverless: one endpoint per head (serverless endpoints cannot host several models, and
 *   cost nothing while idle, so their number costs nothing);
 * - real-time: one multi-model endpoint for the market, each head a `model.tar.gz` under its
 *   prefix named by `targetModel` (one instance serves every head, instead of one per head).
 */
export interface EndpointTarget {
  endpointName: string;
  /** Multi-model endpoints: the artifact key relative to the endpoint's model prefix. */
  targetModel?: string;
}

export type EndpointMap = Record<string, EndpointTarget>;

export const headKey = (model: string, head: string): string => `${model}/${head}`;
