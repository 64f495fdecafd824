/**
 * A real DNS server on loopback (dns2, UDP and TCP on one free port) serving a zone held in
 * memory, for tests that query through node's own resolver (src/platform/dns-resolver.ts).
 * It records every query (STYLE.md 12: a zone that records its queries), and can be told to
 * answer SERVFAIL for a name or to stay silent (a timeout).
 *
 *   const dns = await startDnsServer({ 'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all'] } });
 *   const resolver = createDnsResolver({ servers: [dns.server], timeoutMs: 2000 });
 *   …
 *   await dns.stop();
 */
import { createServer as createTcpServer } from 'node:net';
import dns2 from 'dns2';

const { Packet } = dns2;

/** A TXT value: one string (split into 255-octet character-strings) or explicit strings. */
export type TxtValue = string | readonly string[];

export interface ZoneEntry {
  A?: readonly string[];
  AAAA?: readonly string[];
  TXT?: readonly TxtValue[];
  MX?: readonly { exchange: string; priority: number }[];
  PTR?: readonly string[];
  CNAME?: string;
  NS?: readonly string[];
  /** Answer SERVFAIL for every query of this name. */
  servfail?: true;
  /** Never answer this name (the client times out). */
  silent?: true;
}

/** Names without the trailing dot, any case. */
export type Zone = Record<string, ZoneEntry>;

export interface DnsQuery {
  readonly name: string;
  readonly type: string;
}

export interface DnsServer {
  /** `127.0.0.1:PORT`, for `[dns] servers`. */
  readonly server: string;
  readonly port: number;
  /** The zone; change it freely between queries. */
  readonly zone: Zone;
  readonly queries: DnsQuery[];
  /** Replace or add names. */
  set(name: string, entry: ZoneEntry): void;
  stop(): Promise<void>;
}

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Packet.TYPE as Record<string, number>).map(([name, code]) => [code, name]),
);

const splitTxt = (value: TxtValue): string[] => {
  if (typeof value !== 'string') return [...value];
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(value.slice(i, i + 255));
  return parts.length === 0 ? [''] : parts;
};

export async function startDnsServer(initial: Zone = {}): Promise<DnsServer> {
  const zone: Zone = {};
  for (const [name, entry] of Object.entries(initial)) zone[normal(name)] = entry;
  const queries: DnsQuery[] = [];

  const server = dns2.createServer({
    udp: true,
    tcp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      if (question === undefined) return send(response);
      const name = normal(question.name);
      const type = TYPE_NAMES[question.type] ?? String(question.type);
      queries.push({ name, type });
      const entry = lookup(zone, name);
      if (entry?.silent) return;
      if (entry?.servfail) {
        response.header.rcode = 2;
        return send(response);
      }
      if (entry === undefined) {
        response.header.rcode = 3; // NXDOMAIN
        return send(response);
      }
      response.header.aa = 1;
      const base = { name: question.name, class: Packet.CLASS.IN, ttl: 300 };
      if (entry.CNAME !== undefined && type !== 'CNAME') {
        const answers = response as unknown as { answers: unknown[] };
        answers.answers.push({ ...base, type: Packet.TYPE.CNAME, domain: entry.CNAME });
        const target = lookup(zone, normal(entry.CNAME));
        if (target !== undefined) answer(answers, { ...base, name: entry.CNAME }, target, type);
      } else {
        answer(response as unknown as { answers: unknown[] }, base, entry, type);
      }
      send(response);
    },
  });

  const port = await freePort();
  await server.listen({ udp: { port, address: '127.0.0.1' }, tcp: { port, address: '127.0.0.1' } });
  return {
    server: `127.0.0.1:${port}`,
    port,
    zone,
    queries,
    set: (name, entry) => {
      zone[normal(name)] = entry;
    },
    stop: async () => {
      await server.close();
    },
  };
}

type Base = { name: string; class: number; ttl: number };

// dns2's packet types are loose; the records below are what its encoders read.
function answer(response: { answers: unknown[] }, base: Base, entry: ZoneEntry, type: string): void {
  const T = Packet.TYPE;
  if (type === 'A') for (const address of entry.A ?? []) response.answers.push({ ...base, type: T.A, address });
  if (type === 'AAAA') for (const address of entry.AAAA ?? []) response.answers.push({ ...base, type: T.AAAA, address });
  if (type === 'TXT') for (const v of entry.TXT ?? []) response.answers.push({ ...base, type: T.TXT, data: splitTxt(v) });
  if (type === 'MX') for (const mx of entry.MX ?? []) response.answers.push({ ...base, type: T.MX, exchange: mx.exchange, priority: mx.priority });
  if (type === 'PTR') for (const domain of entry.PTR ?? []) response.answers.push({ ...base, type: T.PTR, domain });
  if (type === 'NS') for (const ns of entry.NS ?? []) response.answers.push({ ...base, type: T.NS, ns });
  if (type === 'CNAME' && entry.CNAME !== undefined) response.answers.push({ ...base, type: T.CNAME, domain: entry.CNAME });
}

const normal = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** The entry for a name, or the closest `*.` wildcard above it (RFC 4592 §2.2.1, simplified:
 * a wildcard covers any number of labels; no empty non-terminals). */
function lookup(zone: Zone, name: string): ZoneEntry | undefined {
  const exact = zone[name];
  if (exact !== undefined) return exact;
  for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
    const wild = zone[`*${name.slice(dot)}`];
    if (wild !== undefined) return wild;
  }
  return undefined;
}

/** A port free for TCP now (UDP on the same number is then almost always free too). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createTcpServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
