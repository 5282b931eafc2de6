import type { HttpMethod, RouteSpec } from './route-spec.ts';

// Apart from routes.ts, which imports every function's route table: a function's bundle matches
// its own routes without carrying the others' (issue 22)

export interface RouteMatch {
  route: RouteSpec;
  params: Record<string, string>;
}

const compiled = new Map<string, RegExp>();
function patternOf(path: string): RegExp {
  let re = compiled.get(path);
  if (!re) {
    const source = path
      .split('/')
      .map((seg) =>
        seg.startsWith('{') ? `(?<${seg.slice(1, -1)}>[^/]+)` : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    re = new RegExp(`^${source}/?$`);
    compiled.set(path, re);
  }
  return re;
}

export type Resolution =
  | { kind: 'match'; match: RouteMatch }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'not-found' };

/** Finds the route for a method and path among `routes`; distinguishes 404 from 405. */
export function resolveRoute(routes: readonly RouteSpec[], method: string, path: string): Resolution {
  const allowed: HttpMethod[] = [];
  for (const route of routes) {
    const m = patternOf(route.path).exec(path);
    if (!m) continue;
    if (route.method === method) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) {
        try {
          params[k] = decodeURIComponent(v);
        } catch {
          params[k] = v;
        }
      }
      return { kind: 'match', match: { route, params } };
    }
    allowed.push(route.method);
  }
  return allowed.length ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
}
