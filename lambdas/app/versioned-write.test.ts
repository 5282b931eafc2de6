import { describe, expect, it } from 'vitest';
import { ConflictError, PreconditionFailedError } from '#domain/errors.ts';
import { parseIfMatch } from '#domain/preconditions.ts';
import { changeVersioned } from './versioned-write.ts';

/**
 * A resource another writer moves on to version 2 between this writer's read and its write: the
 * first write attempt loses its race, as it would against the store's version condition.
 */
function racedResource() {
  let version = 1;
  const reads: boolean[] = [];
  let attempts = 0;
  return {
    reads,
    attempts: () => attempts,
    read: async (consistent: boolean) => {
      reads.push(consistent);
      return { version };
    },
    apply: async (current: { version: number } | undefined) => {
      attempts++;
      if (attempts === 1) {
        version = 2;
        throw new PreconditionFailedError('lost the race');
      }
      version = current!.version + 1;
      return version;
    },
  };
}

describe('a versioned write', () => {
  it('without If-Match reads again after a lost race, consistently, and writes over the winner', async () => {
    const r = racedResource();
    expect(await changeVersioned({ subject: 'action a', read: r.read, apply: r.apply })).toBe(3);
    expect(r.reads).toEqual([false, true]);
  });

  it('with If-Match is checked again after a lost race, and answers 412 for the version that is gone', async () => {
    const r = racedResource();
    const change = changeVersioned({
      subject: 'action a',
      ifMatch: parseIfMatch('"1"')!,
      read: r.read,
      apply: r.apply,
    });
    await expect(change).rejects.toThrow(
      new PreconditionFailedError('action a is at version 2, which If-Match does not name'),
    );
    expect(r.attempts()).toBe(1);
  });

  it('answers If-Match: * on a missing resource with 412 and writes nothing', async () => {
    let applied = false;
    const change = changeVersioned({
      subject: 'trigger t',
      ifMatch: parseIfMatch('*')!,
      read: async () => undefined,
      apply: async () => {
        applied = true;
      },
    });
    await expect(change).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(applied).toBe(false);
  });

  it('gives up with 409, never 412, when an unconditional write keeps losing', async () => {
    const change = changeVersioned({
      subject: 'action a',
      read: async () => ({ version: 1 }),
      apply: async () => {
        throw new PreconditionFailedError('lost again');
      },
    });
    await expect(change).rejects.toBeInstanceOf(ConflictError);
  });
});
