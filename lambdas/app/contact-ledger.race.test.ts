import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { contactRace, raceOp, type Race } from '../test-support/contact-race.ts';

/**
 * Issue 15, item 3: decisions, trigger firings, campaign contacts and declines for one household's
 * two members, a dozen at once on DynamoDB Local, never give more than a limit allows (per action,
 * channel, overall, household) nor offer an action after its decline. The long version
 * (contact-ledger.race.long.test.ts) runs more and bigger bursts.
 */
let race: Race;
beforeAll(async () => {
  race = await contactRace();
}, 60_000);

describe('the contact ledger under concurrent writers', () => {
  it('never lets any interleaving of decisions, firings, campaign contacts and declines pass a limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(raceOp, { minLength: 12, maxLength: 12 }), (ops) => race.run(ops)),
      { numRuns: 20 },
    );
  }, 60_000);
});
