/**
 * Placeholders in treatment texts: `{{profile.<path>}}`, `{{state.<path>}}`, `{{action.<path>}}`,
 * each optionally with a declared maximum width, `{{state.dataUsedPct:3}}` (default 10). No logic:
 * a placeholder is replaced by the value at its path, and a value that is missing skips the
 * message. The paths a text may name are a closed list, checked when the action is saved, so a typo
 * is a 400 then rather than a message skipped at 3 a.m.
 *
 * - `profile`: the scalar profile fields of `PUT /v1/customers/{id}` and `attributes.<name>`.
 * - `state`: the state as `GET /v1/customers/{id}` shows it (windowed counters, latest readings).
 * - `action`: the action's own scalar fields.
 *
 * The width is what the save-time SMS check renders each placeholder at (message-content.ts); at
 * hand-off a value is rendered whole, and the segment count of the text actually sent travels with
 * the message.
 */

export const PLACEHOLDER_ROOTS = ['profile', 'state', 'action'] as const;
export type PlaceholderRoot = (typeof PLACEHOLDER_ROOTS)[number];

export const DEFAULT_PLACEHOLDER_WIDTH = 10;
export const MAX_PLACEHOLDER_WIDTH = 160;

/** The paths each root knows; `*` stands for any one name (a profile attribute). */
export const KNOWN_PATHS: Record<PlaceholderRoot, readonly string[]> = {
  profile: [
    'customerId',
    'segment',
    'tariff',
    'tenureMonths',
    'monthlyCharge',
    'contract',
    'language',
    'householdId',
    'accountId',
    'parentAccountId',
    'attributes.*',
  ],
  state: [
    'dataUsedPct',
    'droppedCalls24h',
    'droppedCalls7d',
    'voiceSeconds30d',
    'careContacts30d',
    'unresolvedContacts30d',
    'topups30d.count',
    'topups30d.amount',
    'spend30d.value',
    'status',
    'lastEventAt',
    'data.usedMb',
    'data.bundleMb',
    'data.usedPct',
    'lastNps.score',
    'churn.reason',
    'acquisition.channel',
    'acquisition.tariff',
    'acquisition.promotion',
    'acquisition.dealer',
  ],
  action: ['actionId', 'name', 'kind', 'value', 'validFrom', 'validTo'],
};

export interface Placeholder {
  /** As written, braces included: what error messages and skip reasons name. */
  raw: string;
  root: PlaceholderRoot;
  path: string[];
  width: number;
}

const TOKEN = /\{\{(.*?)\}\}/g;
const GRAMMAR = /^([a-z]+)((?:\.[A-Za-z][A-Za-z0-9_-]{0,63})+)(?::(\d{1,3}))?$/;

const isRoot = (s: string): s is PlaceholderRoot => (PLACEHOLDER_ROOTS as readonly string[]).includes(s);

function knownPath(root: PlaceholderRoot, path: readonly string[]): boolean {
  return KNOWN_PATHS[root].some((known) => {
    const parts = known.split('.');
    return parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i]);
  });
}

export interface ParsedTemplate {
  placeholders: Placeholder[];
  /** One sentence per bad placeholder (or stray brace), naming it. */
  problems: string[];
}

/** The placeholders of a text and what is wrong with any of them. */
export function parseTemplate(text: string): ParsedTemplate {
  const placeholders: Placeholder[] = [];
  const problems: string[] = [];
  for (const match of text.matchAll(TOKEN)) {
    const raw = match[0];
    const m = GRAMMAR.exec(match[1] ?? '');
    if (!m) {
      problems.push(`${raw} is not a placeholder: write {{profile|state|action.<path>}} or {{<root>.<path>:<width>}}`);
      continue;
    }
    const [, root = '', dotted = '', width] = m;
    const path = dotted.slice(1).split('.');
    if (!isRoot(root)) {
      problems.push(`${raw}: unknown placeholder root ${root} (profile, state or action)`);
      continue;
    }
    if (!knownPath(root, path)) {
      problems.push(`${raw}: unknown ${root} path ${path.join('.')} (known: ${KNOWN_PATHS[root].join(', ')})`);
      continue;
    }
    const w = width === undefined ? DEFAULT_PLACEHOLDER_WIDTH : Number(width);
    if (w < 1 || w > MAX_PLACEHOLDER_WIDTH) {
      problems.push(`${raw}: width must be 1 to ${MAX_PLACEHOLDER_WIDTH}`);
      continue;
    }
    placeholders.push({ raw, root, path, width: w });
  }
  const rest = text.replace(TOKEN, '');
  if (rest.includes('{{') || rest.includes('}}'))
    problems.push('a {{ or }} that is not part of a placeholder (placeholders are {{<root>.<path>}})');
  return { placeholders, problems };
}

/** The text with every placeholder at its declared width: the longest the save-time check assumes. */
export const widestRendering = (text: string): string =>
  text.replace(TOKEN, (raw) => {
    const p = parseTemplate(raw).placeholders[0];
    return 'X'.repeat(p?.width ?? DEFAULT_PLACEHOLDER_WIDTH);
  });

/** What placeholders are filled from at hand-off (any object: the record, the state view, the action). */
export type PlaceholderSources = Partial<Record<PlaceholderRoot, unknown>>;

export type Rendered = { text: string } | { missing: string[] };

function valueAt(source: unknown, path: readonly string[]): string | undefined {
  let v: unknown = source;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * The text with its placeholders replaced by their values, or the placeholders whose value is
 * missing (absent, null, not a scalar): the message is then not sent. A text with a placeholder
 * that does not parse (saved before the check) counts that placeholder as missing.
 */
export function renderTemplate(text: string, sources: PlaceholderSources): Rendered {
  const missing: string[] = [];
  const out = text.replace(TOKEN, (raw) => {
    const p = parseTemplate(raw).placeholders[0];
    const value = p ? valueAt(sources[p.root], p.path) : undefined;
    if (value === undefined) {
      missing.push(raw);
      return raw;
    }
    return value;
  });
  return missing.length ? { missing } : { text: out };
}
