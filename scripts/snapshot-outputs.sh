#!/usr/bin/env bash
# The JSON a user gets from ingest, reports, summary, sources and check over the demo inbox and a
# folder of sample reports, written to OUTDIR one file per command — run it before and after a
# change that must not change behaviour, then `diff -r` the two folders. `generated_at` is dropped
# (it is the time of the run); check runs against a DNS server that refuses, so it is offline.
#   scripts/snapshot-outputs.sh BIN OUTDIR [SAMPLES]   (BIN: the built cli, e.g. dist/cli/main.js)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "$1"); out=$(realpath -m "$2"); samples=$(realpath "${3:-$root/../shared/samples}")
node=$root/node_modules/.bin/node; [ -x "$node" ] || node=node
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
cat > "$work/ruaflow.toml" <<TOML
[dns]
servers = ["127.0.0.1:9"]
timeout_ms = 200
$(sed -n '/^\[\[domains\]\]/,$p' "$root/test/fixtures/correlation/ruaflow.toml")
TOML
cp -r "$root/test/fixtures/correlation/keys" "$work/keys"
strip() { sed -E 's/"generated_at":("[^"]*"|[0-9]+),?//g'; }
run() { # name, then the arguments
  local name=$1; shift
  (cd "$work" && "$node" "$bin" "$@" 2>"$out/$name.stderr" | strip > "$out/$name.json"; echo "exit ${PIPESTATUS[0]}" >> "$out/$name.stderr"; sed -i -E "s/\"time\":\"[^\"]*\",//" "$out/$name.stderr")
}
for set in demo samples correlation; do
  case $set in
    demo) src="$root/reports/inbox" ;;
    samples) src="$samples" ;;
    correlation) src="$root/test/fixtures/correlation" ;;
  esac
  db="$work/$set.sqlite"
  run "$set-ingest" ingest --json --quiet --db "$db" --config "$work/ruaflow.toml" "$src"
  sed -i "s#$src#SRC#g" "$out/$set-ingest.json"
  run "$set-ingest-again" ingest --json --quiet --db "$db" --config "$work/ruaflow.toml" "$src"
  sed -i "s#$src#SRC#g" "$out/$set-ingest-again.json"
  run "$set-reports" reports --json --db "$db" --config "$work/ruaflow.toml"
  run "$set-summary" summary --format json --offline --period 2000-01-01..2030-12-31 --db "$db" --config "$work/ruaflow.toml"
  run "$set-summary-csv" summary --format csv --offline --period 2000-01-01..2030-12-31 --db "$db" --config "$work/ruaflow.toml"
  run "$set-sources" sources --json --offline --db "$db" --config "$work/ruaflow.toml"
  run "$set-sources-text" sources --offline --period all --db "$db" --config "$work/ruaflow.toml"
  run "$set-summary-text" summary --offline --period 2000-01-01..2030-12-31 --db "$db" --config "$work/ruaflow.toml"
done
run check check --json --config "$work/ruaflow.toml"
run check-text check --config "$work/ruaflow.toml"
