/**
 * The loopback DNS server the summary fixtures (test/fixtures/summary/) are read against, and the
 * ruaflow.toml pointing at it: our relay and a SendGrid sender named by PTR names their A records
 * confirm, a forger claiming a Google name its A record denies, and example.com's DMARC policy.
 */
import { startDnsServer, type DnsServer } from './dns-server.js';

export function startSummaryDns(): Promise<DnsServer> {
  return startDnsServer({
    // Our relay: PTR confirmed by its A record.
    '10.2.0.192.in-addr.arpa': { PTR: ['mail.example.com'] },
    'mail.example.com': { A: ['192.0.2.10'] },
    // SendGrid, named by PTR suffix in our services.
    '7.113.0.203.in-addr.arpa': { PTR: ['o1.ptr4242.sendgrid.net'] },
    'o1.ptr4242.sendgrid.net': { A: ['203.0.113.7'] },
    // A forger claiming a Google name whose A record says otherwise: not confirmed, unnamed.
    '5.100.51.198.in-addr.arpa': { PTR: ['mail-sor-f41.google.com'] },
    'mail-sor-f41.google.com': { A: ['209.85.220.41'] },
    '_dmarc.example.com': { TXT: ['v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com'] },
  });
}

/** [dns] at `dnsServer`; example.com with its relay 192.0.2.10 and SendGrid as a service named by PTR. */
export function summaryToml(dnsServer: string): string {
  return `[dns]\nservers = ["${dnsServer}"]\ntimeout_ms = 2000\n\n[[domains]]\nname = "example.com"\nrelays = ["192.0.2.10"]\nservices = [{ name = "SendGrid", ptr = ["sendgrid.net"] }]\n`;
}
