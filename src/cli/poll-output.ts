/** What `ruaflow poll` prints: the stable `--json` shape, and the line of text. */
import type { PollTotals } from '../jobs/poll.js';

/** The stable `--json` shape (docs/json-output.md "poll"). */
export function pollJson(mailbox: string, t: PollTotals) {
  return {
    mailbox,
    messages: t.messages,
    processed: t.processed,
    known: t.known,
    new: t.new,
    duplicate: t.duplicate,
    invalid: t.invalid,
    not_aggregate: t.notAggregate,
    invalid_inputs: t.invalidInputs.map((r) => ({ path: r.path, reason: r.reason })),
    interrupted: t.interrupted,
  };
}

export function renderPoll(mailbox: string, t: PollTotals): string {
  return (
    `${mailbox}: ${t.messages} message${t.messages === 1 ? '' : 's'}, ${t.processed} read: ` +
    `${t.new} new report${t.new === 1 ? '' : 's'}, ${t.duplicate} duplicate${t.duplicate === 1 ? '' : 's'}, ` +
    `${t.invalid} invalid, ${t.notAggregate} not aggregate; ${t.known} done before` +
    `${t.interrupted ? ' (stopped early on request)' : ''}\n`
  );
}
