import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles only (CvmFunction's
 * `LAMBDA_ALIASES`; the local runtime, unbundled, keeps the whole chain). Every client's
 * runtimeConfig imports the node chain statically, and with it the STS, SSO and sign-in clients,
 * ini files, process, web identity and IMDS providers and the query and XML protocols: ~137 KiB
 * per function. Setting `credentials` on a client does not drop that import
 * (aws/aws-sdk-js-v3#5516, #6087); substituting the module at bundle time does. In Lambda the
 * execution role's credentials are always in these reserved environment variables, which is the
 * one link of the chain a function reaches.
 */
export const LAMBDA_CREDENTIAL_VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

type Init = Parameters<typeof fromEnv>[0];

/** The chain's export, as the clients' runtimeConfig calls it: a provider reading the environment. */
export const defaultProvider = (init?: Init) => {
  const provider = fromEnv(init);
  return async () => {
    try {
      return await provider();
    } catch (cause) {
      const missing = LAMBDA_CREDENTIAL_VARS.filter((name) => !process.env[name]);
      throw new Error(
        `no AWS credentials: ${missing.join(' and ')} not set. This bundle reads credentials from ` +
          "Lambda's environment only (lambdas/adapters/lambda-credentials.ts)",
        { cause },
      );
    }
  };
};
