/**
 * Where a webhook may point (server-side request forgery): the URL's scheme and form, and the class
 * of every address its host resolves to. Checked when a connection is saved and again before each
 * request, against the address the request then connects to (DNS can change in between). Pure: the
 * resolving is the caller's.
 */

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

export interface TargetPolicy {
  /** Private and link-local targets (and loopback) are allowed: the market config says so. */
  allowPrivateTargets: boolean;
  /** Loopback targets are allowed, over plain http too: the local runtime. */
  allowLoopback: boolean;
}

/** AWS: public HTTPS targets only (the market config may allow private ones). */
export const STRICT_TARGETS: TargetPolicy = { allowPrivateTargets: false, allowLoopback: false };

export type TargetVerdict = { ok: true } | { ok: false; reason: string };

const MAX_URL_LENGTH = 2048;

function ipv4Octets(ip: string): number[] | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return octets.every((o) => o >= 0 && o <= 255) ? octets : undefined;
}

function classifyIpv4([a, b, c]: number[]): AddressClass {
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return 'private';
  // carrier-grade NAT (100.64.0.0/10): inside an operator's network, never a public gateway
  if (a === 100 && b! >= 64 && b! <= 127) return 'private';
  // 169.254.0.0/16 holds the instance metadata service (169.254.169.254)
  if (a === 169 && b === 254) return 'link-local';
  if (a! >= 224 && a! <= 239) return 'multicast';
  if (a! >= 240) return 'reserved';
  if (
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113)
  )
    return 'reserved';
  return 'public';
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, a dotted IPv4 tail read), or undefined. */
function ipv6Groups(raw: string): number[] | undefined {
  let ip = raw.split('%')[0]!.toLowerCase();
  let v4Tail: number[] | undefined;
  const lastColon = ip.lastIndexOf(':');
  if (lastColon >= 0 && ip.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4Octets(ip.slice(lastColon + 1));
    if (!v4) return undefined;
    v4Tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    ip = `${ip.slice(0, lastColon + 1)}0:0`; // two placeholder groups, replaced by the tail below
  }
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const values = groups.map((g) => Number.parseInt(g, 16));
  if (v4Tail) values.splice(6, 2, ...v4Tail);
  return values;
}

function classifyIpv6(g: number[]): AddressClass {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  const v4 = [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff];
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96) reach the IPv4 address they carry
  if (zeroUpTo(5) && g[5] === 0xffff) return classifyIpv4(v4);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyIpv4(v4);
  if (zeroUpTo(6)) return 'reserved'; // IPv4-compatible, deprecated
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // site-local, deprecated
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  return 'public';
}

/** The class of an IP literal; anything that is not one is 'reserved' (never connected to). */
export function classifyAddress(ip: string): AddressClass {
  const v4 = ipv4Octets(ip);
  if (v4) return classifyIpv4(v4);
  const v6 = ipv6Groups(ip.replace(/^\[|\]$/g, ''));
  return v6 ? classifyIpv6(v6) : 'reserved';
}

/** The URL's host as DNS or a socket takes it: brackets of an IPv6 literal removed. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/** The URL's own problems, before anything is resolved: form, scheme, credentials. */
export function webhookUrlProblem(raw: string, policy: TargetPolicy): string | undefined {
  if (raw.length > MAX_URL_LENGTH) return `may be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowLoopback))
    return 'must be an https:// URL';
  if (url.username || url.password) return 'may not carry a user name or password';
  if (!url.hostname) return 'has no host';
  return undefined;
}

/**
 * Whether a request to `url` may connect to `addresses` (what its host resolved to; all of them,
 * since the socket may pick any). Loopback, private and link-local addresses need the policy's
 * leave; unspecified, multicast and reserved ones are never allowed; plain http only to loopback.
 */
export function checkWebhookTarget(url: URL, addresses: readonly string[], policy: TargetPolicy): TargetVerdict {
  if (addresses.length === 0) return { ok: false, reason: 'does not resolve to any address' };
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (cls === 'public') continue;
    if (cls === 'loopback' && (policy.allowLoopback || policy.allowPrivateTargets)) continue;
    if ((cls === 'private' || cls === 'link-local') && policy.allowPrivateTargets) continue;
    return { ok: false, reason: `resolves to a ${cls} address (${address}), which webhooks may not reach` };
  }
  if (url.protocol === 'http:' && !addresses.every((a) => classifyAddress(a) === 'loopback'))
    return { ok: false, reason: 'must be an https:// URL (plain http only reaches loopback locally)' };
  return { ok: true };
}
