import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger; never log profiles, events or raw customer ids. */
export const logger = new Logger({ serviceName: 'telco-cvm', logLevel: (process.env['LOG_LEVEL'] as 'INFO' | undefined) ?? 'INFO' });
