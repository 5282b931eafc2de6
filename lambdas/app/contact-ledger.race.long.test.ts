import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { contactRace, raceOp, type Race } from '../test-support/contact-race.ts';

/** contact-ledger.race.test.ts at scale: 150 bursts of 12 to 40 operations at once. */
let race: Race;
beforeAll(async () => {
  race = await contactRace();
}, 60_000);

describe('the contact ledger under concurrent writers, at length', () => {
  it('never lets any interleaving of decisions, firings, campaign contacts and declines pass a limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(raceOp, { minLength: 12, maxLength: 40 }), (ops) => race.run(ops)),
      { numRuns: 150 },
    );
  }, 900_000);
});
