/** What `ruaflow keygen` prints: the stable `--json` shape (docs/json-output.md "keygen"), and
 * the text with the records to publish. */
import { relative } from 'node:path';
import type { KeygenResult } from '../jobs/keygen.js';

export function keygenJson(r: KeygenResult) {
  return {
    domain: r.domain,
    selector: r.selector,
    type: r.algorithm,
    bits: r.bits,
    folder: r.folder,
    files: r.files,
    records: r.records.map((x) => ({ kind: x.kind, name: x.name, value: x.value, zone: x.zone })),
  };
}

/** `cwd`: the folder is shown relative to it. */
export function renderKeygen(r: KeygenResult, cwd: string): string {
  const shown = relative(cwd, r.folder) || '.';
  return (
    `Wrote ${shown}/{selector,private,public,dns}: ${r.algorithm}${r.algorithm === 'rsa' ? ` ${r.bits} bits` : ''}, selector ${r.selector}; private is mode 0600.\n` +
    `${r.elsewhere !== null ? `Note: [[domains]] ${r.domain} dkim_keys_dir is ${r.elsewhere.configured}, not ${r.elsewhere.used}.\n` : ''}` +
    `\nPublish these records (also in ${shown}/dns), then run ruaflow check --domain ${r.domain}:\n\n${r.dnsText}`
  );
}
