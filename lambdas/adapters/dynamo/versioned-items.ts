import { PreconditionFailedError } from '#domain/errors.ts';
import type { Stamp } from '#domain/versioned.ts';
import { guarded, isConditionalFailure } from './errors.ts';

/**
 * The `version`, `createdAt` and `updatedAt` attributes of a versioned item (actions, triggers,
 * channel connections, customer profiles). An item stored before versions existed has no
 * `version`: it counts as version 1, on read and in the write conditions, so its first ETag is `"1"`.
 */
export const STAMP_ATTRIBUTES = ['version', 'createdAt', 'updatedAt'] as const;
export const LEGACY_VERSION = 1;

/**
 * That a stored profile is at `expected`, for a write that must also find a profile (not a
 * tombstone) there: a profile stored before versions has none and counts as version 1.
 */
export function profileAtVersion(expected: number): {
  ConditionExpression: string;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  return {
    ConditionExpression:
      expected === LEGACY_VERSION
        ? 'kind = :profile AND (version = :v OR attribute_not_exists(version))'
        : 'version = :v AND kind = :profile',
    ExpressionAttributeValues: { ':v': expected, ':profile': 'profile' },
  };
}

export function stampOf(item: Record<string, unknown>): Stamp {
  const { version, createdAt, updatedAt } = item;
  return {
    version: typeof version === 'number' ? version : LEGACY_VERSION,
    ...(typeof createdAt === 'string' ? { createdAt } : {}),
    ...(typeof updatedAt === 'string' ? { updatedAt } : {}),
  };
}

/** The stamp as item attributes. */
export const stampAttributes = (stamp: Stamp): Record<string, unknown> => ({
  version: stamp.version,
  ...(stamp.createdAt ? { createdAt: stamp.createdAt } : {}),
  ...(stamp.updatedAt ? { updatedAt: stamp.updatedAt } : {}),
});

/** That the stored item is at `expected` (0: there is none), as a condition using the value `:version`. */
export function versionCondition(expected: number): { condition: string; values: Record<string, number> } {
  if (expected === 0) return { condition: 'attribute_not_exists(pk)', values: {} };
  if (expected === LEGACY_VERSION)
    return {
      condition: 'attribute_exists(pk) AND (version = :version OR attribute_not_exists(version))',
      values: { ':version': expected },
    };
  return { condition: 'version = :version', values: { ':version': expected } };
}

/** The Put or Delete parameters that make it conditional on the stored version. */
export function expectingVersion(expected: number) {
  const { condition, values } = versionCondition(expected);
  return {
    ConditionExpression: condition,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

/** Runs a write made with `expectingVersion`; a lost condition is the PreconditionFailedError the app retries on. */
export async function versionedWrite(subject: string, expected: number, write: () => Promise<unknown>): Promise<void> {
  try {
    await guarded(write);
  } catch (err) {
    if (isConditionalFailure(err))
      throw new PreconditionFailedError(`${subject} is no longer at version ${expected}`, [], { cause: err });
    throw err;
  }
}
