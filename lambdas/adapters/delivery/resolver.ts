import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** A host's addresses: every one DNS gives (the check must pass for all), or the IP literal itself. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const dnsResolver: Resolver = async (host) => {
  const family = isIP(host);
  if (family === 4 || family === 6) return [{ address: host, family }];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};
