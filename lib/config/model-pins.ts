import demoPins from '../../models/demo/pins.json' with { type: 'json' };
import irPins from '../../models/ir/pins.json' with { type: 'json' };

/**
 * The model versions each market serves live in `models/<market>/pins.json`, beside the
 * versions themselves: `npm run models -- promote | rollback` edits that file (and its pin
 * history) and a reviewer sees the change as a diff. The market config takes its
 * `scoring.models` from here, so the stack's bundles, the scorers and the local runtime all
 * read the same pins.
 */
interface PinsJson {
  [model: string]: { version: string };
}

const pinsOf = (file: PinsJson): Record<string, { version: string }> =>
  Object.fromEntries(Object.entries(file).map(([model, { version }]) => [model, { version }]));

export const MODEL_PINS = { demo: pinsOf(demoPins), ir: pinsOf(irPins) } as const;
