/**
 * Folders for keygen tests under one temp root, and a loopback DNS server (empty: a test loads
 * the records keygen made, as they are) through which a message signed with the written key is
 * verified.
 *
 *   let setup: KeygenSetup;
 *   before(async () => (setup = await startKeygenSetup('ruaflow-keygen-')));
 *   after(() => setup.stop());
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { createDnsResolver } from '../../src/platform/dns-resolver.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { ownerToml } from './owner-config.js';

export interface KeygenSetup {
  /** The root of the folders; removed by stop(). */
  readonly dir: string;
  readonly dns: DnsServer;
  /** A working folder `name` with a ruaflow.toml naming the domain's relays (192.0.2.10,
   * 2001:db8::/48), its key folder `keys` and our rua mailbox. */
  workspace(name: string, domain: string): { cwd: string; configFile: string };
  /** A message from `domain` signed with `privateKey` (PEM), verified through the DNS server:
   * mailauth's result (`pass`, `fail`, `neutral`, …). */
  signAndVerify(privateKey: string, domain: string, selector: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startKeygenSetup(prefix: string): Promise<KeygenSetup> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dns = await startDnsServer();
  return {
    dir,
    dns,
    workspace: (name, domain) => {
      const cwd = join(dir, name);
      mkdirSync(cwd, { recursive: true });
      const configFile = join(cwd, 'ruaflow.toml');
      writeFileSync(configFile, ownerToml(dns.server, `[[domains]]\nname = "${domain}"\ndkim_keys_dir = "keys"\nrelays = ["192.0.2.10", "2001:db8::/48"]\n`));
      return { cwd, configFile };
    },
    signAndVerify: async (privateKey, domain, selector) => {
      const message = `From: a@${domain}\r\nTo: b@example.org\r\nSubject: hello\r\nDate: Mon, 30 Nov 2026 08:00:00 +0000\r\nMessage-ID: <1@${domain}>\r\n\r\nHello.\r\n`;
      const signer = { signingDomain: domain, selector, privateKey };
      const signed = await dkimSign(message, { ...signer, signatureData: [signer] });
      assert.notEqual(signed.signatures, '');
      const resolver = createDnsResolver({ servers: [dns.server], timeoutMs: 1500 }, { cacheSeconds: 0 });
      const verified = await dkimVerify(signed.signatures + message, { resolver: resolver as never });
      return verified.results[0]?.status.result ?? 'none';
    },
    stop: async () => {
      await dns.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
