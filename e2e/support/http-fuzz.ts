/**
 * API fuzzing over HTTP against the local runtime (issue 10): request generators built from
 * ROUTES (real path templates with arbitrary params, wrong types for every field of every body
 * schema), a raw HTTP client that sends what fetch would refuse, the response checks (no 5xx,
 * problem+json, documented status) and a DynamoDB table dump for "a 4xx changes nothing".
 */
import { DynamoDBClient, ListTablesCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { request } from 'node:http';
import { ROUTES, resolveRoute, type RouteSpec } from '#http/routes.ts';
import { ruleProblems } from '#domain/rules.ts';
import { ruleArb } from '../../lambdas/test-support/rule-arbitraries.ts';
import { RULE_BOMBS } from '../../lambdas/test-support/rule-bombs.ts';

// ---------------------------------------------------------------- raw HTTP

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** One request with a hard client timeout: a hang is a failure, never a stuck test. */
export function send(
  baseUrl: string,
  req: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
  timeoutMs = 15_000,
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const started = performance.now();
  // an explicit length: Node sends GET/DELETE/OPTIONS bodies unframed otherwise
  const headers = {
    ...(req.headers ?? {}),
    ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}),
  };
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers,
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('timeout', () =>
      r.destroy(new Error(`timeout after ${timeoutMs} ms: ${req.method} ${req.path.slice(0, 80)}`)),
    );
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

// ---------------------------------------------------------------- checks

type OpenApiDoc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

/** The path as sent, without the query: as the local runtime routes it (no `.`/`..` resolution). */
const pathOf = (rawPath: string): string => rawPath.split('?')[0]!;

/** The statuses the OpenAPI document allows for a request; unknown paths may only get 404. */
export function documentedStatuses(doc: OpenApiDoc, method: string, rawPath: string): Set<number> {
  const path = pathOf(rawPath);
  const res = resolveRoute(ROUTES, method, path);
  if (res.kind === 'not-found') return new Set([404]);
  const statusesOf = (template: string, m?: string) => {
    const ops = doc.paths[template] ?? {};
    const out = new Set<number>();
    for (const [opMethod, op] of Object.entries(ops))
      if (!m || opMethod === m) for (const s of Object.keys(op.responses)) out.add(Number(s));
    return out;
  };
  if (res.kind === 'match') return statusesOf(res.match.route.path, method.toLowerCase());
  // wrong method: 405, or what the gateway answers before routing (the path's auth errors)
  const templates = ROUTES.filter(
    (r) => res.allowed.includes(r.method) && resolveRoute([r], r.method, path).kind === 'match',
  ).map((r) => r.path);
  const out = new Set<number>([405]);
  for (const t of new Set(templates))
    for (const s of statusesOf(t)) if (s === 401 || s === 403 || s === 413) out.add(s);
  return out;
}

/** Returns what is wrong with a response, or undefined. */
export function responseProblem(doc: OpenApiDoc, method: string, path: string, res: RawResponse): string | undefined {
  if (res.status >= 500) return `${res.status} ${res.body.slice(0, 300)}`;
  if (res.status < 400) return undefined;
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `${res.status} with content-type '${type}'`;
  if (method !== 'HEAD') {
    let body: { status?: unknown; type?: unknown; title?: unknown };
    try {
      body = JSON.parse(res.body);
    } catch {
      return `${res.status} problem body is not JSON: ${res.body.slice(0, 100)}`;
    }
    if (body.status !== res.status) return `problem status ${String(body.status)} != HTTP ${res.status}`;
    if (typeof body.type !== 'string' || typeof body.title !== 'string') return 'problem without type/title';
  }
  const allowed = documentedStatuses(doc, method, path);
  if (!allowed.has(res.status))
    return `${res.status} is not documented for ${method} ${path.slice(0, 80)} (documented: ${[...allowed].join(',')})`;
  return undefined;
}

// ---------------------------------------------------------------- table dump

/** Every item of every table, canonical and sorted: equal strings mean equal data. */
export async function dumpTables(endpoint: string): Promise<Map<string, string[]>> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  try {
    const out = new Map<string, string[]>();
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    for (const table of TableNames) {
      const rows: string[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        for (const item of page.Items ?? []) rows.push(canonical(item));
        start = page.LastEvaluatedKey;
      } while (start);
      out.set(table, rows.sort());
    }
    return out;
  } finally {
    client.destroy();
  }
}

const canonical = (v: unknown): string =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : JSON.stringify(v);

export function dumpDiff(before: Map<string, string[]>, after: Map<string, string[]>): string | undefined {
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const a = new Set(before.get(table) ?? []);
    const b = new Set(after.get(table) ?? []);
    const gone = [...a].filter((x) => !b.has(x));
    const added = [...b].filter((x) => !a.has(x));
    if (gone.length || added.length)
      return `${table}: -${gone.length} +${added.length} ${(added[0] ?? gone[0] ?? '').slice(0, 300)}`;
  }
  return undefined;
}

// ---------------------------------------------------------------- generators

/** A valid body per route with one: the base the field mutations start from. */
export function seedBodies(now: string): Record<string, unknown> {
  const campaign = {
    name: 'Fuzz campaign',
    goal: 'take-up',
    audience: { customerIds: ['fz-cust-1'] },
    actionIds: ['bigger-bundle-offer'],
    channel: 'sms',
    controlGroupPercent: 10,
    pilot: { percent: 10, minUplift: 1 },
    responseWindow: 'P7D',
  };
  return {
    putCustomer: {
      segment: 'youth',
      tariff: 'smart-50',
      tenureMonths: 12,
      monthlyCharge: 45,
      contract: 'prepaid',
      products: ['phone'],
      householdId: 'hh-fz',
      consent: { sms: true },
      language: 'en',
      attributes: { region: 'gp' },
    },
    postEvents: {
      events: [
        { eventId: 'fz-ev-1', customerId: 'fz-cust-1', type: 'usage.voice', occurredAt: now, data: { seconds: 30 } },
      ],
    },
    postDecision: { customerId: 'fz-cust-1', channel: 'sms', context: { intent: 'offer' }, limit: 3 },
    postDecisionResponse: { actionId: 'bigger-bundle-offer', response: 'accepted' },
    putAction: {
      name: 'Fuzz offer',
      kind: 'offer',
      treatments: { sms: { templateKey: 'fz', text: { en: 'Hi' } } },
      eligibility: true,
      propensity: { starting: 0.1 },
      value: 10,
      lever: 1,
      limits: { perCustomer: [{ channel: 'sms', max: 1, days: 7 }], perDay: 100 },
    },
    createCampaign: campaign,
    previewCampaign: campaign,
    putChannel: { type: 'queue' },
    putTrigger: {
      eventType: 'usage.voice',
      condition: true,
      actionId: 'bigger-bundle-offer',
      channel: 'sms',
      cooldownHours: 1,
      priority: 1,
      enabled: true,
    },
  };
}

interface ZodDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  options?: unknown[];
  in?: unknown;
  valueType?: unknown;
}
const defOf = (s: unknown): ZodDef => (s as { _zod?: { def?: ZodDef } })._zod?.def ?? { type: 'unknown' };

/** Field paths named by a zod schema (objects, arrays, unions, records), to put wrong types into. */
export function fieldPaths(schema: unknown, prefix: string[] = [], depth = 0): string[][] {
  if (depth > 5) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return fieldPaths(def.innerType, prefix, depth);
    case 'pipe':
      return fieldPaths(def.in, prefix, depth);
    case 'object': {
      const out: string[][] = [];
      for (const [k, v] of Object.entries((schema as { shape: Record<string, unknown> }).shape)) {
        out.push([...prefix, k], ...fieldPaths(v, [...prefix, k], depth + 1));
      }
      return out;
    }
    case 'array':
      return [[...prefix, '0'], ...fieldPaths(def.element, [...prefix, '0'], depth + 1)];
    case 'union':
      return (def.options ?? []).flatMap((o) => fieldPaths(o, prefix, depth + 1));
    case 'record':
      return [[...prefix, 'sms'], [...prefix, 'en'], ...fieldPaths(def.valueType, [...prefix, 'sms'], depth + 1)];
    default:
      return [];
  }
}

function setPath(value: unknown, path: string[], leaf: unknown | typeof DELETE): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path as [string, ...string[]];
  const base: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? [...value]
    : value && typeof value === 'object'
      ? { ...(value as Record<string, unknown>) }
      : /^\d+$/.test(head)
        ? []
        : {};
  const current = (base as Record<string, unknown>)[head];
  const next = setPath(current, rest, leaf);
  if (next === DELETE) {
    if (Array.isArray(base)) base.splice(Number(head), 1);
    else delete base[head];
  } else (base as Record<string, unknown>)[head] = next;
  return base;
}
const DELETE = Symbol('delete');

/** Deeply nested JSON text (objects or arrays), built as text so the generator never recurses. */
export const deepJson = (depth: number, kind: 'object' | 'array') =>
  kind === 'object' ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;

const unicode = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    '\uD800',
    '\uFEFF',
    'ñ',
    '😀'.repeat(20),
    '../../etc/passwd',
    '%2F',
    '<script>',
    "'; DROP TABLE x; --",
    '__proto__',
    'constructor',
  ),
);

/** Values of every JSON type and then some, for a field that expects one type. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      1e308,
      -1e308,
      1e-300,
      5e-324,
      1e126,
      '',
      [],
      {},
      [null],
      { '': 1 },
      'x'.repeat(70),
    ),
  },
  { weight: 2, arbitrary: unicode },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 60_000 }).map((n) => 'é'.repeat(n)) },
  { weight: 1, arbitrary: fc.double() },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor').map((k) => JSON.parse(`{"${k}":{"polluted":true}}`)),
  },
);

export interface FuzzKeys {
  own: { apiKey: string; channelKey: string };
  other: { apiKey: string; channelKey: string };
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  label: string;
  /** The tenant rule the body carries, when the case is about one. */
  rule?: unknown;
  /** The body must be refused whatever else is right (not UTF-8, a lone surrogate, a BOM, a prototype key). */
  refuse?: boolean;
}

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }).map(encodeURIComponent) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%',
      '%zz',
      '%2F',
      '..',
      '.',
      'a%2Fb',
      '%00',
      'x'.repeat(65),
      'x'.repeat(5000),
      'fz-cust-1',
      'a~b',
      '%2E',
      '%2E%2E',
      '...',
      '..%2F..',
      'a%2F..',
      '27820000001',
      'bigger-bundle-offer',
    ),
  },
);

const routePath = (route: RouteSpec) =>
  fc.tuple(...(route.path.match(/\{[^}]+\}/g) ?? []).map(() => segment)).map((vals) => {
    let i = 0;
    return route.path.replace(/\{[^}]+\}/g, () => vals[i++] ?? 'x');
  });

const query = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 })
      .map((q) => `?${new URLSearchParams(q).toString()}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '?month=2026-13',
      '?limit=0',
      '?limit=abc',
      '?month=2026-01&limit=200',
      `?nextToken=${'A'.repeat(3000)}`,
      '?%zz=1',
      '?from=2026-02-30',
      '?to=2026-04-31',
      '?from=2026-02-29&to=2026-03',
      '?from=2024-02-29',
      '?from=0000-00-00',
      '?from=2026-1-5',
    ),
  },
);

const anyMethod = fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');

/** A path and a method: mostly a real route with its own method, sometimes anything. */
const target = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .constantFrom(...ROUTES)
      .chain((r) =>
        fc.tuple(
          routePath(r),
          fc.oneof({ weight: 5, arbitrary: fc.constant(r.method) }, { weight: 1, arbitrary: anyMethod }),
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.array(segment, { minLength: 0, maxLength: 5 }).map((s) => `/v1/${s.join('/')}`),
      anyMethod,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom(
        '/',
        '/v1',
        '/v2/customers/x',
        '/v1/customers/',
        '/v1//customers/x',
        '/V1/health',
        '/v1/health/',
        '/v1/customers/a/b/c',
        '/v1/decisions/x/responses/y',
        '/v1/openapi.json/x',
        '/v1/customers/./export',
        '/v1/customers/../customers/x',
        '/v1/customers/%2E%2E/export',
      ),
      anyMethod,
    ),
  },
);

// ---------------------------------------------------------------- tenant rules (issue 17)

/** Where each route that takes a tenant rule holds it. */
export const RULE_FIELDS: Record<string, string[]> = {
  putTrigger: ['condition'],
  putAction: ['eligibility'],
  createCampaign: ['audience', 'rule'],
  previewCampaign: ['audience', 'rule'],
};

/** A route's seed body with `rule` in its rule field (a campaign's audience becomes that rule alone). */
const withRule = (seed: unknown, routeId: string, rule: unknown): string =>
  JSON.stringify(
    routeId === 'createCampaign' || routeId === 'previewCampaign'
      ? { ...(seed as object), audience: { rule } }
      : setPath(seed, RULE_FIELDS[routeId]!, rule),
  );

/** Rules of every operator with random nesting and sizes (past the limits too), and the rule bombs. */
export const tenantRule: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 6, arbitrary: ruleArb({ depth: 'medium', maxArray: 300, dataKeys: true, wrongArity: true }) },
  { weight: 3, arbitrary: ruleArb({ depth: 'small', maxArray: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...Object.values(RULE_BOMBS)) },
);

// ---------------------------------------------------------------- encodings and keys (issue 17)

const INVALID_UTF8: number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf],
  [0xe2, 0x82],
  [0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];
/** U+D800 and U+DFFF encoded as UTF-8 would encode them (CESU-8): a lone surrogate sent raw. */
const RAW_SURROGATES: number[][] = [
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
];

/** The seed's text with `insert` inside its first string value (or just inside the object). */
function spliced(text: string, insert: Buffer): Buffer {
  const bytes = Buffer.from(text);
  const at = Math.max(1, bytes.indexOf(':"') + 2);
  return Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]);
}

/**
 * A route's seed made unacceptable however right the rest is: bytes that are not UTF-8, a lone
 * surrogate raw or as a JSON escape, a byte order mark, a prototype key at any depth.
 */
function hostileBody(seed: unknown, paths: string[][]) {
  const text = JSON.stringify(seed);
  const placeholder = '__HOSTILE_KEY__';
  const protoAt = (parent: string[], key: string): string => {
    const out = JSON.stringify(setPath(seed, [...parent, placeholder], { polluted: true }));
    // an array parent drops a named key: then the key goes to the top level
    return out.includes(placeholder)
      ? out.replace(`"${placeholder}"`, JSON.stringify(key))
      : `{${JSON.stringify(key)}:{"polluted":true},${text.slice(1)}`;
  };
  return fc
    .oneof(
      fc.constantFrom(...INVALID_UTF8).map((b) => ({ text: spliced(text, Buffer.from(b)), label: 'invalid-utf8' })),
      fc.constantFrom(...RAW_SURROGATES).map((b) => ({ text: spliced(text, Buffer.from(b)), label: 'raw-surrogate' })),
      fc
        .constantFrom('\\ud800', '\\udfff', '\\ud83d', 'x\\udc00y')
        .map((e) => ({ text: spliced(text, Buffer.from(e)), label: 'escaped-surrogate' })),
      fc.constant({ text: `\uFEFF${text}`, label: 'bom' }),
      fc
        .tuple(
          fc.constantFrom<string[]>([], ...paths.map((p) => p.slice(0, -1))),
          fc.constantFrom('__proto__', 'constructor', 'prototype'),
        )
        .map(([parent, key]) => ({ text: protoAt(parent, key), label: `key ${[...parent, key].join('.')}` })),
    )
    .map((b) => ({ ...b, refuse: true as const }));
}

/** Bodies: mutated seeds (wrong type at one field path of the route's schema), or anything. */
function bodyFor(
  route: RouteSpec | undefined,
  seeds: Record<string, unknown>,
): fc.Arbitrary<{ text?: string | Buffer; label: string; rule?: unknown; refuse?: boolean }> {
  const seed = route ? seeds[route.id] : undefined;
  const paths = route?.body ? fieldPaths(route.body) : [];
  const limit = route?.bodyLimit ?? 256 * 1024;
  const generic = fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: JSON.stringify(v), label: 'json' })) },
    { weight: 1, arbitrary: fc.constant({ label: 'none' }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((t) => ({ text: t, label: 'text' })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '{',
          '{"a":',
          'null',
          '[]',
          '""',
          '1e999',
          '{"__proto__":{"x":1}}',
          '\uFEFF{}',
          'NaN',
          '{"a":1,"a":2}',
        )
        .map((t) => ({ text: t, label: 'malformed' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 100, max: 40_000 }), fc.constantFrom<'object' | 'array'>('object', 'array'))
        .map(([d, k]) => ({ text: deepJson(d, k), label: `deep-${k}-${d}` })),
    },
  );
  if (seed === undefined) return generic;
  const mutations: fc.Arbitrary<{ text?: string | Buffer; label: string; refuse?: boolean }>[] = [
    fc.constant({ text: JSON.stringify(seed), label: 'seed' }),
    hostileBody(seed, paths),
    fc.constant({ text: JSON.stringify(seed) + ' '.repeat(limit), label: 'too-large' }),
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 12 }), wrongValue)
      .map(([k, v]) => ({ text: JSON.stringify({ ...(seed as object), [k]: v }), label: `unknown-field ${k}` })),
  ];
  if (paths.length) {
    const path = fc.constantFrom(...paths);
    mutations.push(
      fc
        .tuple(path, wrongValue)
        .map(([p, v]) => ({ text: JSON.stringify(setPath(seed, p, v)), label: `wrong ${p.join('.')}` })),
      path.map((p) => ({ text: JSON.stringify(setPath(seed, p, DELETE)), label: `missing ${p.join('.')}` })),
      fc
        .tuple(path, fc.integer({ min: 50, max: 20_000 }), fc.constantFrom<'object' | 'array'>('object', 'array'))
        .map(([p, d, k]) => ({
          text: JSON.stringify(setPath(seed, p, '__DEEP__')).replace('"__DEEP__"', deepJson(d, k)),
          label: `deep ${p.join('.')} ${k} ${d}`,
        })),
    );
  }
  const ruleField = route ? RULE_FIELDS[route.id] : undefined;
  if (ruleField) {
    const ruleCase = tenantRule.map((rule) => ({
      text: withRule(seed, route!.id, rule),
      label: `rule ${ruleField.join('.')}`,
      rule,
    }));
    return fc.oneof(
      { weight: 6, arbitrary: fc.oneof(...mutations) },
      { weight: 3, arbitrary: ruleCase },
      { weight: 2, arbitrary: hostileBody(seed, paths) },
      { weight: 2, arbitrary: generic },
    );
  }
  return fc.oneof(
    { weight: 6, arbitrary: fc.oneof(...mutations) },
    { weight: 2, arbitrary: hostileBody(seed, paths) },
    { weight: 2, arbitrary: generic },
  );
}

export function fuzzRequests(keys: FuzzKeys, seeds: Record<string, unknown>): fc.Arbitrary<FuzzRequest> {
  const key = fc.constantFrom<[string, string | undefined]>(
    ['admin', keys.own.apiKey],
    ['admin', keys.own.apiKey],
    ['admin', keys.own.apiKey],
    ['admin', keys.own.apiKey],
    ['channel', keys.own.channelKey],
    ['channel', keys.own.channelKey],
    ['other-admin', keys.other.apiKey],
    ['other-channel', keys.other.channelKey],
    ['none', undefined],
    ['empty', ''],
    ['garbage', 'cvm_consumer_admin_0000000000000000000000'],
    ['long', 'k'.repeat(300)],
    ['spaces', `  ${keys.own.apiKey}  `],
  );
  return fc
    .tuple(
      target,
      query,
      key,
      fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        '',
        'application/json; charset=latin1',
        'APPLICATION/JSON; Charset="UTF-8"',
        'application/json;charset=utf-8',
        'application/merge-patch+json',
        'application/json; charset=utf-16',
        'application/problem+json',
      ),
      fc.option(fc.constantFrom('"1"', '"0"', '*', 'garbage', '"999999"')),
    )
    .chain(([[path, m], q, [keyLabel, keyValue], contentType, ifMatch]) => {
      const pathname = pathOf(path);
      const resolution = resolveRoute(ROUTES, m, pathname);
      const route =
        resolution.kind === 'match'
          ? resolution.match.route
          : ROUTES.find((r) => resolveRoute([r], r.method, pathname).kind === 'match' && r.body);
      return bodyFor(route, seeds).map((b) => {
        const headers: Record<string, string> = {};
        if (keyValue !== undefined) headers['x-api-key'] = keyValue;
        if (contentType) headers['content-type'] = contentType;
        if (ifMatch) headers['if-match'] = ifMatch;
        const withBody = m !== 'GET' && m !== 'HEAD' && b.text !== undefined;
        return {
          method: m,
          path: path + q,
          headers,
          ...(withBody ? { body: b.text } : {}),
          ...(withBody && b.rule !== undefined ? { rule: b.rule } : {}),
          ...(withBody && b.refuse ? { refuse: true } : {}),
          label: `${m} ${path.slice(0, 60)}${q.slice(0, 20)} key=${keyLabel} body=${withBody ? b.label : 'none'}`,
        };
      });
    });
}

export const isMutating = (method: string) => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';

// ---------------------------------------------------------------- the run

export interface FuzzStats {
  cases: number;
  sent: number;
  byStatus: Record<number, number>;
  fiveXx: number;
  integrityChecks: number;
  clientRefused: number;
  /** Requests whose body carried a generated tenant rule, and how many of those rules the validator refuses. */
  rules: { sent: number; refusedByValidator: number };
  /** Bodies that must be refused (encodings, prototype keys), by status. */
  hostile: { sent: number; byStatus: Record<number, number> };
}

/**
 * Sends `numRuns` generated requests to a running local runtime and checks each reply; after
 * every 4xx the tables must equal their dump from before the request. Returns the counts; the
 * property fails (and fast-check shrinks) on the first violation.
 */
export async function fuzzApi(opts: {
  baseUrl: string;
  dynamoEndpoint: string;
  keys: FuzzKeys;
  numRuns: number;
  seed?: number;
  now?: string;
}): Promise<FuzzStats> {
  const doc = JSON.parse((await send(opts.baseUrl, { method: 'GET', path: '/v1/openapi.json' })).body) as OpenApiDoc;
  const stats: FuzzStats = {
    cases: 0,
    sent: 0,
    byStatus: {},
    fiveXx: 0,
    integrityChecks: 0,
    clientRefused: 0,
    rules: { sent: 0, refusedByValidator: 0 },
    hostile: { sent: 0, byStatus: {} },
  };
  const stableDump = async () => {
    let last = await dumpTables(opts.dynamoEndpoint);
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const next = await dumpTables(opts.dynamoEndpoint);
      if (!dumpDiff(last, next)) return next;
      last = next;
    }
    throw new Error('the tables never settled');
  };
  let before = await stableDump();
  let dirty = false;
  await fc.assert(
    fc.asyncProperty(fuzzRequests(opts.keys, seedBodies(opts.now ?? new Date().toISOString())), async (req) => {
      stats.cases++;
      if (dirty) {
        before = await stableDump();
        dirty = false;
      }
      let res: RawResponse;
      try {
        res = await send(opts.baseUrl, req);
      } catch (err) {
        const msg = (err as Error).message;
        // Node's client refuses some header values and paths before sending: not the server's fault
        if (
          /Invalid character|ERR_INVALID|unescaped characters/i.test(msg) ||
          (err as { code?: string }).code?.startsWith('ERR_INVALID')
        ) {
          stats.clientRefused++;
          return;
        }
        throw new Error(`${req.label}: ${msg}`);
      }
      stats.sent++;
      stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
      if (res.status >= 500) stats.fiveXx++;
      const wrong = responseProblem(doc, req.method, req.path, res);
      if (wrong) throw new Error(`${req.label}: ${wrong}`);
      if (req.refuse) {
        stats.hostile.sent++;
        stats.hostile.byStatus[res.status] = (stats.hostile.byStatus[res.status] ?? 0) + 1;
        if (res.status < 300) throw new Error(`${req.label}: ${res.status} for a body that must be refused`);
      }
      if (req.rule !== undefined) {
        stats.rules.sent++;
        const problems = ruleProblems(req.rule);
        if (problems.length) stats.rules.refusedByValidator++;
        // a rule over a limit is never stored, whatever else the request got right
        if (problems.length && res.status < 300)
          throw new Error(`${req.label}: ${res.status} for a rule over ${problems.map((p) => p.limit).join(', ')}`);
      }
      if (res.status >= 400) {
        const after = await dumpTables(opts.dynamoEndpoint);
        stats.integrityChecks++;
        const diff = dumpDiff(before, after);
        if (diff) throw new Error(`${req.label}: a ${res.status} changed stored data: ${diff}`);
      } else if (isMutating(req.method)) dirty = true;
    }),
    {
      numRuns: opts.numRuns,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      endOnFailure: false,
      interruptAfterTimeLimit: 20 * 60_000,
    },
  );
  return stats;
}

// ---------------------------------------------------------------- the rule run (issue 17)

export interface RuleFuzzStats {
  sent: number;
  accepted: number;
  /** Refused rules by the first limit they break. */
  refused: Record<string, number>;
  /** The slowest answer to a rule bomb, in ms (each sent alone). */
  slowestBombMs: number;
  fiveXx: number;
}

/**
 * Tenant rules straight at the three writes that take one (PUT /v1/triggers/{id}, PUT
 * /v1/actions/{id}, the campaign preview; POST /v1/campaigns for the bombs, which start nothing),
 * one at a time with the admin key and an otherwise valid body: every answer is 2xx exactly when
 * the validator accepts the rule, else 400 problem+json naming the rule's field and a limit, and
 * nothing is stored. Each rule bomb is answered within a second. Then a decision and an event for
 * the customer the stored rules read: the stored rules run, and nothing answers 5xx.
 */
export async function fuzzRules(opts: {
  baseUrl: string;
  keys: FuzzKeys;
  numRuns: number;
  seed?: number;
  now?: string;
}): Promise<RuleFuzzStats> {
  const seeds = seedBodies(opts.now ?? new Date().toISOString());
  const admin = { 'x-api-key': opts.keys.own.apiKey, 'content-type': 'application/json' };
  const stats: RuleFuzzStats = { sent: 0, accepted: 0, refused: {}, slowestBombMs: 0, fiveXx: 0 };
  const writes = [
    { route: 'putTrigger', method: 'PUT', path: (i: number) => `/v1/triggers/fzr-${i}`, field: 'condition' },
    { route: 'putAction', method: 'PUT', path: (i: number) => `/v1/actions/fzr-${i}`, field: 'eligibility' },
    { route: 'previewCampaign', method: 'POST', path: () => '/v1/campaigns/preview', field: 'audience.rule' },
  ] as const;
  let n = 0;
  const sendRule = async (
    write: { route: string; method: string; path: (i: number) => string; field: string },
    rule: unknown,
  ) => {
    const i = n++;
    const body = withRule(seeds[write.route], write.route, rule);
    const res = await send(opts.baseUrl, { method: write.method, path: write.path(i), headers: admin, body });
    stats.sent++;
    if (res.status >= 500) stats.fiveXx++;
    const problems = ruleProblems(rule);
    const label = `${write.method} ${write.path(i)} ${JSON.stringify(rule).slice(0, 200)}`;
    if (problems.length === 0) {
      if (res.status >= 300)
        throw new Error(`${label}: ${res.status} for a rule the validator accepts: ${res.body.slice(0, 300)}`);
      stats.accepted++;
      return res;
    }
    stats.refused[problems[0]!.limit] = (stats.refused[problems[0]!.limit] ?? 0) + 1;
    if (res.status !== 400) throw new Error(`${label}: ${res.status}, not 400, for a rule over a limit`);
    const errors = (JSON.parse(res.body) as { errors?: { field: string; message: string }[] }).errors ?? [];
    if (!errors.some((e) => e.field === write.field && /\(limit \w+/.test(e.message)))
      throw new Error(`${label}: the 400 does not name ${write.field} and a limit: ${res.body.slice(0, 300)}`);
    if (write.method === 'PUT') {
      const stored = await send(opts.baseUrl, { method: 'GET', path: write.path(i), headers: admin });
      if (stored.status !== 404) throw new Error(`${label}: a refused rule was stored (${stored.status})`);
    }
    return res;
  };

  // the bombs, one at a time, on every write (POST /v1/campaigns included: refused, it starts nothing)
  const bombWrites = [
    ...writes,
    { route: 'createCampaign', method: 'POST', path: () => '/v1/campaigns', field: 'audience.rule' } as const,
  ];
  for (const rule of Object.values(RULE_BOMBS))
    for (const write of bombWrites) {
      const started = performance.now();
      await sendRule(write, rule);
      stats.slowestBombMs = Math.max(stats.slowestBombMs, performance.now() - started);
    }

  await fc.assert(
    fc.asyncProperty(tenantRule, fc.constantFrom(...writes), async (rule, write) => {
      await sendRule(write, rule);
    }),
    { numRuns: opts.numRuns, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), endOnFailure: true },
  );

  // the stored rules run: a decision reads every eligibility, an event every usage.voice condition
  const channel = { 'x-api-key': opts.keys.own.channelKey, 'content-type': 'application/json' };
  const profile = await send(opts.baseUrl, {
    method: 'PUT',
    path: '/v1/customers/fz-cust-1',
    headers: admin,
    body: JSON.stringify(seeds['putCustomer']),
  });
  const decision = await send(opts.baseUrl, {
    method: 'POST',
    path: '/v1/decisions',
    headers: channel,
    body: JSON.stringify({ customerId: 'fz-cust-1', channel: 'sms', limit: 3 }),
  });
  const events = await send(opts.baseUrl, {
    method: 'POST',
    path: '/v1/events',
    headers: channel,
    body: JSON.stringify(seeds['postEvents']),
  });
  for (const res of [profile, decision, events]) if (res.status >= 500) stats.fiveXx++;
  return stats;
}
