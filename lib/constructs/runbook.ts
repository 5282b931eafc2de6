/** The operations guide every alarm points into: one section per alarm kind. */
export const RUNBOOK_FILE = 'docs/operations.md';

/**
 * The sections of docs/operations.md, by the anchor GitHub makes of their headings.
 * infra-tests/alarm-coverage.test.ts checks each alarm names one and each one exists.
 */
export const RUNBOOK = {
  api5xxRate: 'api-5xx-rate',
  apiLatency: 'api-p99-latency',
  functionDuration: 'function-p99-duration',
  functionErrors: 'lambda-errors',
  functionThrottles: 'lambda-throttles',
  deadLetters: 'messages-in-a-dead-letter-queue',
  queueAge: 'oldest-message-age',
  queueBacklog: 'queue-backlog',
  tableThrottles: 'dynamodb-throttles',
  tableSystemErrors: 'dynamodb-system-errors',
  workflowFailures: 'workflow-failures',
  scoringFallbacks: 'scoring-fallback-rate',
  scoreDrift: 'score-drift',
} as const;
export type RunbookSection = (typeof RUNBOOK)[keyof typeof RUNBOOK];

/**
 * An alarm description that ends with where to read what to do: the alarm e-mail and the
 * console show the description, so the on-call gets from the page to the section in one step.
 */
export const withRunbook = (description: string, section: RunbookSection): string =>
  `${description} (runbook: ${RUNBOOK_FILE}#${section})`;
