/**
 * UIDs → an IMAP sequence set (RFC 9051 §9 `sequence-set`): ascending, runs collapsed, so a batch
 * of 50 consecutive UIDs is "101:150" rather than 50 numbers on the command line.
 */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].filter((u) => Number.isInteger(u) && u > 0).sort((a, b) => a - b);
  const parts: string[] = [];
  let start: number | undefined;
  let end: number | undefined;
  for (const uid of sorted) {
    if (start !== undefined && end !== undefined && uid === end + 1) {
      end = uid;
      continue;
    }
    if (start !== undefined && end !== undefined) parts.push(start === end ? `${start}` : `${start}:${end}`);
    start = end = uid;
  }
  if (start !== undefined && end !== undefined) parts.push(start === end ? `${start}` : `${start}:${end}`);
  return parts.join(',');
}
