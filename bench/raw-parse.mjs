/**
 * The baseline bench/run.ts compares `ruaflow ingest` with: read the .xml.gz, gunzip it and parse
 * the whole document with fast-xml-parser — the least any ingest has to do. Plain JavaScript on
 * purpose: run by bare Node (no loader, no type stripping, which would add ~80 ms and ~17 MB),
 * so that its start-up costs the same as the compiled dist/cli/main.js.
 * Prints one JSON line: {"readMs", "parseMs", "records"}.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node bench/raw-parse.mjs FILE.xml.gz');
  process.exit(2);
}
const t0 = performance.now();
const xmlString = gunzipSync(readFileSync(file)).toString('utf8');
const t1 = performance.now();
const doc = new XMLParser({ ignoreAttributes: true, parseTagValue: false }).parse(xmlString);
const t2 = performance.now();

const record = doc?.feedback?.record;
const records = Array.isArray(record) ? record.length : record === undefined ? 0 : 1;
process.stdout.write(`${JSON.stringify({ readMs: t1 - t0, parseMs: t2 - t1, records })}\n`);
