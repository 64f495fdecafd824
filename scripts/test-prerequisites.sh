#!/usr/bin/env bash
# The Debian packages the tests run for real, installed when missing (`npm test` runs this first
# as its pretest step; .ci/run calls it too). As root it installs them with apt-get; as anyone
# else it prints the one apt-get line to run and stops, so no test fails later for want of one.
#   xmllint (libxml2-utils)    generated and sample reports against the XSDs
#   dovecot (dovecot-imapd)    the IMAP server poll is tested against
#   openssl                    that server's test certificate
#   chromium                   the HTML summary and e-mail rendered in a real browser
#   exim (exim4-daemon-heavy)  the Exim ACL of docs/verifying-mail.md (content scanning: heavy)
#   sieve-test (dovecot-sieve) and procmail: the delivery-filter recipes of the same page
set -euo pipefail
need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/bin/chromium ] || need+=(chromium)
{ command -v exim >/dev/null 2>&1 && exim -bV 2>/dev/null | grep -q Content_Scanning; } || need+=(exim4-daemon-heavy)
command -v sieve-test >/dev/null 2>&1 || need+=(dovecot-sieve)
command -v procmail >/dev/null 2>&1 || need+=(procmail)
[ ${#need[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need Debian packages that are not installed. Run, as root:" >&2
  echo "  $line" >&2
  exit 1
fi
echo "Installing the Debian packages the tests need: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
# The packages start a system Dovecot and Exim where they can; the tests start their own.
if command -v systemctl >/dev/null 2>&1; then systemctl stop dovecot exim4 >/dev/null 2>&1 || true; fi
