#!/usr/bin/env bash
# The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into a
# throw-away prefix, then the installed bin run from an empty folder — --version, --help, and
# `ruaflow run` on the demo reports shipped inside the package. CI runs this after the tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# npm and the installed bin run on the pinned Node (the machine's own may be older than 22).
export PATH="$root/node_modules/.bin:$PATH"
cd "$root"
tarball=$(npm pack --silent --pack-destination "$work" | tail -1)
npm install -g --prefix "$work/prefix" --no-audit --no-fund --prefer-offline "$work/$tarball" >/dev/null
bin="$work/prefix/bin/ruaflow"
pkg="$work/prefix/lib/node_modules/ruaflow"
mkdir "$work/cwd"; cd "$work/cwd"
fail() { echo "smoke-install: $*" >&2; exit 1; }

version=$("$bin" --version); [ "$version" = "ruaflow $(node -p "require('$root/package.json').version")" ] || fail "--version printed '$version'"
help=$("$bin" --help); [[ $help == *send-reports* ]] || fail "--help lists no send-reports"
help=$("$bin" summary --help); [[ $help == *--period* ]] || fail "summary --help lists no --period"
for f in contrib/ruaflow.service contrib/ruaflow.toml schema/schema.sql schema/xsd/rua-dmarcbis.xsd reports/inbox/README.md; do
  [ -f "$pkg/$f" ] || fail "the package lacks $f"
done
out=$("$bin" run --db "$work/cwd/demo.sqlite" --quiet) || fail "run exited $?"
[[ $out == *"new reports"* ]] || fail "run printed: $out"
[ -f "$work/cwd/demo.sqlite" ] || fail "run wrote no database"
[ ! -e "$pkg/reports/ruaflow.sqlite" ] || fail "run wrote into the package folder"
"$bin" reports --db "$work/cwd/demo.sqlite" --json | node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8")); if (r.length===0) process.exit(1)' || fail "reports --json listed nothing"
echo "smoke-install: $tarball installs; its bin runs: $version; run ingested the shipped demo reports"
