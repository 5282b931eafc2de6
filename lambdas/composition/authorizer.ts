import * as z from 'zod';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import { SecretsUsageKeys } from '#adapters/usage-keys.ts';
import { authorize } from '#app/authorize.ts';
import { Json, parsedEnv, platformEnv } from './platform-env.ts';
import { platformBase } from './platform.ts';

const AuthorizerEnv = z.object({
  /** tenant -> the secret holding its usage-plan key (AWS); none locally, where no usage plan meters. */
  USAGE_KEY_SECRETS: Json(z.record(z.string(), z.string())).default({}),
});

/** The authorizer's use case on the key table, and the usage-plan keys it hands API Gateway. */
export function authorizerFor(source: NodeJS.ProcessEnv = process.env) {
  const own = parsedEnv(AuthorizerEnv, source);
  const env = platformEnv(source);
  const { db, clock } = platformBase(env);
  return {
    resolveCaller: authorize({ keys: new DynamoKeyStore(db, env.KEYS_TABLE), clock }),
    usageKeys: new SecretsUsageKeys(own.USAGE_KEY_SECRETS),
  };
}
