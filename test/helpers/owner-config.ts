/**
 * ruaflow.toml text for the commands a domain owner runs about their own setup (check, keygen):
 * `[dns]` at a loopback DNS server (test/helpers/dns-server.ts), an `[imap]` mailbox
 * dmarc@example.com (the rua address the tests' DMARC records publish), then the `[[domains]]`
 * tables given.
 */
export function ownerToml(dnsServer: string, domains: string): string {
  return `[dns]\nservers = ["${dnsServer}"]\ntimeout_ms = 1500\n\n[imap]\nhost = "imap.example.com"\nuser = "dmarc@example.com"\npassword = "secret"\n\n${domains}`;
}
