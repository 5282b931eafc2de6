/**
 * How fast the rule engine evaluates the demo catalog's eligibility rules (the decision path asks
 * every candidate action's rule), against json-logic-js's interpreter on the same rules and data.
 * Rounds alternate so a busy machine slows both alike. `npx tsx scripts/bench/rule-eval.ts`
 */
import jsonLogic from 'json-logic-js';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { ruleHolds } from '#domain/rules.ts';

const data = {
  profile: { tenureMonths: 30, products: ['phone', 'internet-fiber'], contract: 'month-to-month', monthlyCharge: 85 },
  state: {},
  scores: {},
  context: {},
  signals: { serviceProblem: false, churn: 0.2, droppedCalls24h: 0 },
};
const rules = demoCatalog.map((a) => a.eligibility).filter((r) => typeof r === 'object');
const engines: Record<string, (rule: Record<string, unknown>) => boolean> = {
  'rule engine (compiled, metered)': (r) => ruleHolds(r, data),
  'json-logic-js apply': (r) => jsonLogic.truthy(jsonLogic.apply(r as never, data)),
};
const N = 100_000;
const ROUNDS = 15;
const times: Record<string, number[]> = Object.fromEntries(Object.keys(engines).map((k) => [k, []]));
let held = 0;
for (let round = -1; round < ROUNDS; round++) {
  for (const [name, holds] of Object.entries(engines)) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i++) if (holds(rules[i % rules.length]!)) held++;
    if (round >= 0) times[name]!.push(Number(process.hrtime.bigint() - started) / N);
  }
}
for (const [name, t] of Object.entries(times)) {
  t.sort((a, b) => a - b);
  console.log(`${name.padEnd(32)} ${t[Math.floor(ROUNDS / 2)]!.toFixed(0)} ns per rule (median of ${ROUNDS} rounds)`);
}
console.log(`${rules.length} rules; ${held} evaluations held`);
