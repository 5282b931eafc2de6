import { ConflictError, PreconditionFailedError } from '#domain/errors.ts';
import { ifMatchHolds, versionTag, type IfMatch } from '#domain/preconditions.ts';

/**
 * Reads a write lost to a concurrent one may take before giving up with 409 (as customers.ts):
 * every lost race means another write won, so ten concurrent writes need at most nine retries.
 */
const ATTEMPTS = 25;

export interface VersionedChange<C extends { version: number }, R> {
  /** Names the resource in the 412 and 409 details ("action a1"). */
  subject: string;
  /** From If-Match; undefined: the change is unconditional. */
  ifMatch?: IfMatch | undefined;
  /** The stored resource (undefined: none); `consistent` after a lost race. */
  read: (consistent: boolean) => Promise<C | undefined>;
  /**
   * Makes the change of `current` with a write that expects its version (0: none); that write
   * throws a PreconditionFailedError when another one came first.
   */
  apply: (current: C | undefined) => Promise<R>;
}

/**
 * One write of a versioned resource (action, trigger, channel connection): read, check If-Match
 * against the current version (RFC 9110 13.1.1: 412 when it does not hold), write on condition
 * that the version is still the one read. A write that lost its race reads again: an
 * unconditional one is applied to the fresh version (last writer wins, never a 412); a
 * conditional one is checked again, and fails with 412 because the version it named is gone.
 */
export async function changeVersioned<C extends { version: number }, R>(change: VersionedChange<C, R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const current = await change.read(attempt > 1);
    if (change.ifMatch && !ifMatchHolds(change.ifMatch, current ? versionTag(current.version) : undefined)) {
      throw new PreconditionFailedError(
        current
          ? `${change.subject} is at version ${current.version}, which If-Match does not name`
          : `${change.subject} does not exist, so If-Match cannot hold`,
      );
    }
    try {
      return await change.apply(current);
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
      if (attempt >= ATTEMPTS)
        throw new ConflictError(`${change.subject} is being changed by many writers at once; retry`);
    }
  }
}
