/**
 * CIDR blocks as sets of addresses, for judging a whole relay or service range against an SPF
 * record (spf-coverage.ts). Parsing, containment and the first / last address come from
 * ipaddr.js; the only bit we set ourselves is the one that splits a block into its two halves.
 * Two CIDR blocks are either disjoint or one holds the other, so cutting one block out of
 * another only ever needs halving.
 */
import ipaddr from 'ipaddr.js';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A block: its network address (host bits zero) and prefix length. */
export interface Cidr {
  readonly network: Address;
  readonly bits: number;
}

const maxBits = (a: Address): number => (a.kind() === 'ipv4' ? 32 : 128);

/** `192.0.2.10`, `192.0.2.0/24`, `2001:db8::/48`; null when it does not parse. An IPv4-mapped
 * range (`::ffff:192.0.2.0/120`) is the IPv4 range it carries: mailauth evaluates a mapped
 * client as IPv4 (RFC 7208 §5: such an address "MUST still be considered an IPv4 address"),
 * and ruaflow sources reads relays the same way (src/analyze/correlate/ip-ranges.ts uses this). */
export function parseCidr(text: string): Cidr | null {
  const value = text.trim();
  try {
    const single = value.includes('/') ? null : ipaddr.parse(value);
    const [address, bits] = single === null ? ipaddr.parseCIDR(value) : [single, maxBits(single)];
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return block((address as ipaddr.IPv6).toIPv4Address(), bits - 96);
    }
    return block(address, bits);
  } catch {
    return null;
  }
}

/** The block of `bits` that holds `address` (host bits cleared, RFC 7208 §5.6 compares only
 * the first `bits` bits). */
export function block(address: Address, bits: number): Cidr {
  const cidr = `${address.toString()}/${bits}`;
  const network = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return { network, bits };
}

/** `inner` lies wholly inside `outer` (an IPv4 block never inside an IPv6 one). */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.network.kind() === inner.network.kind() && inner.bits >= outer.bits && inner.network.match(outer.network, outer.bits);
}

/** The lower and upper half of a block of more than one address. */
export function halves(c: Cidr): [Cidr, Cidr] {
  const bytes = c.network.toByteArray();
  // The first bit after the prefix: clear in the lower half, set in the upper one.
  const index = c.bits >> 3;
  bytes[index] = (bytes[index] ?? 0) | (0x80 >> (c.bits & 7));
  return [{ network: c.network, bits: c.bits + 1 }, { network: ipaddr.fromByteArray(bytes), bits: c.bits + 1 }];
}

/** Splits `from` into the parts inside and outside `cut`. */
export function split(from: Cidr, cut: Cidr): { inside: Cidr[]; outside: Cidr[] } {
  if (contains(cut, from)) return { inside: [from], outside: [] };
  if (!contains(from, cut)) return { inside: [], outside: [from] };
  const inside: Cidr[] = [];
  const outside: Cidr[] = [];
  for (const half of halves(from)) {
    const part = split(half, cut);
    inside.push(...part.inside);
    outside.push(...part.outside);
  }
  return { inside, outside };
}

export const isSingle = (c: Cidr): boolean => c.bits === maxBits(c.network);

export const firstAddress = (c: Cidr): Address => c.network;

export function lastAddress(c: Cidr): Address {
  const cidr = formatCidr(c, true);
  return c.network.kind() === 'ipv4' ? ipaddr.IPv4.broadcastAddressFromCIDR(cidr) : ipaddr.IPv6.broadcastAddressFromCIDR(cidr);
}

/** The first address of the upper half: the middle of the block. */
export const middleAddress = (c: Cidr): Address => (isSingle(c) ? c.network : halves(c)[1].network);

/** `192.0.2.0/25`; a single address without its prefix unless `withPrefix`. IPv6 in the
 * RFC 5952 form. */
export function formatCidr(c: Cidr, withPrefix = false): string {
  const address = c.network.kind() === 'ipv4' ? c.network.toString() : (c.network as ipaddr.IPv6).toRFC5952String();
  return isSingle(c) && !withPrefix ? address : `${address}/${c.bits}`;
}

const same = (a: Cidr, b: Cidr): boolean => a.bits === b.bits && a.network.kind() === b.network.kind() && a.network.toNormalizedString() === b.network.toNormalizedString();

const compare = (a: Cidr, b: Cidr): number => {
  if (a.network.kind() !== b.network.kind()) return a.network.kind() === 'ipv4' ? -1 : 1;
  const x = a.network.toByteArray();
  const y = b.network.toByteArray();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return a.bits - b.bits;
};

/** Sorted, with sibling halves joined into their parent block, so `192.0.2.128/26` and
 * `192.0.2.192/26` read as `192.0.2.128/25`. The blocks must not overlap. */
export function merge(blocks: readonly Cidr[]): Cidr[] {
  let list = [...blocks].sort(compare);
  for (let joined = true; joined; ) {
    joined = false;
    const next: Cidr[] = [];
    for (const c of list) {
      const last = next.at(-1);
      if (last !== undefined && last.bits === c.bits && last.bits > 0) {
        const parent = block(last.network, last.bits - 1);
        // Same length, the first starts the parent and the second lies in it: the two halves.
        if (same({ network: last.network, bits: parent.bits }, parent) && contains(parent, c)) {
          next[next.length - 1] = parent;
          joined = true;
          continue;
        }
      }
      next.push(c);
    }
    list = next;
  }
  return list;
}
