/** The poll logic (which messages, when filed, exactly once) on an in-memory mailbox. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { pollMailbox, type PollPlan } from '../../src/jobs/poll.js';
import { silentLogger } from '../../src/ports/logger.js';
import { CommitGroup } from '../../src/store/commit-group.js';
import { openDatabase } from '../../src/store/database.js';
import { InputLedger } from '../../src/store/inputs.js';
import { listReports } from '../../src/store/report-list.js';
import { ReportStore } from '../../src/store/reports.js';
import { MemoryMailbox } from '../helpers/memory-mailbox.js';

const sample = (p: string) => readFileSync(new URL(`../fixtures/samples/aggregate/${p}`, import.meta.url));
const GOOD = ['parsedmarc/twilight.eml', 'parsedmarc/mimecast-weird-gzip.eml', 'parsedmarc/report-domain-borschow.com-submitter-google.com-949348866075514174.eml'];
const BAD = 'modoboa/Report_Domain_ngyn.org_Submitter_amazon.com_Report-ID_aggr_report_ngyn.org_20210607-ignored.eml';
const OTHER = 'not-aggregate/google.com_smtp_tls_report.eml';

const plan: PollPlan = {
  batchSize: 2,
  actions: {
    stored: { kind: 'move', to: 'DMARC/archive' },
    duplicate: { kind: 'move', to: 'DMARC/archive' },
    invalid: { kind: 'move', to: 'DMARC/invalid' },
    not_aggregate: { kind: 'move', to: 'DMARC/other' },
  },
};

function setup() {
  const db = openDatabase(':memory:');
  const stores = { reports: new ReportStore(db), ledger: new InputLedger(db), limits: DEFAULT_LIMITS, clock: { now: () => 1 } };
  const box = new MemoryMailbox();
  return { db, stores, box, group: new CommitGroup(db) };
}

describe('pollMailbox', () => {
  it('ingests every message once and files each by its outcome, after the commit', async () => {
    const { db, stores, box, group } = setup();
    for (const p of [...GOOD, BAD, OTHER]) box.add(sample(p));
    box.add(sample(GOOD[0]!)); // the same message twice (a copy)
    const t = await pollMailbox(box, stores, group, plan, silentLogger);
    assert.deepEqual([t.messages, t.processed, t.new, t.duplicate, t.invalid, t.notAggregate], [6, 6, 3, 1, 1, 1]);
    assert.equal(box.messages.size, 0);
    assert.equal(box.folders.get('DMARC/archive')?.length, 4);
    assert.equal(box.folders.get('DMARC/invalid')?.length, 1);
    assert.equal(box.folders.get('DMARC/other')?.length, 1);
    assert.equal(listReports(db).length, 3);
    // batches of 2: fetch, then file; never a move before its batch was fetched and committed
    assert.deepEqual(box.log.filter((l) => l.startsWith('fetch')), ['fetch 1,2', 'fetch 3,4', 'fetch 5,6']);
  });

  it('does not depend on \\Seen and never reads a processed message again', async () => {
    const { stores, box, group } = setup();
    for (const p of GOOD) box.add(sample(p));
    for (const m of box.messages.values()) m.seen = true; // someone read them in a mail client
    const leave: PollPlan = { ...plan, actions: { ...plan.actions, stored: { kind: 'leave' }, duplicate: { kind: 'leave' } } };
    const first = await pollMailbox(box, stores, group, leave, silentLogger);
    assert.equal(first.new, 3);
    box.log.length = 0;
    const second = await pollMailbox(box, stores, group, leave, silentLogger);
    assert.deepEqual([second.processed, second.known, second.new], [0, 3, 0]);
    assert.deepEqual(box.log, [], 'nothing fetched, nothing filed');
  });

  it('files messages committed by an interrupted earlier pass without reading them again', async () => {
    const { db, stores, box, group } = setup();
    for (const p of GOOD) box.add(sample(p));
    // A pass that committed but died before filing: simulate by polling with "leave".
    await pollMailbox(box, stores, group, { ...plan, actions: { ...plan.actions, stored: { kind: 'leave' } } }, silentLogger);
    assert.equal(box.messages.size, 3);
    box.log.length = 0;
    const t = await pollMailbox(box, stores, group, plan, silentLogger);
    assert.deepEqual([t.processed, t.known], [0, 3]);
    assert.equal(box.messages.size, 0);
    assert.equal(box.folders.get('DMARC/archive')?.length, 3);
    assert.ok(!box.log.some((l) => l.startsWith('fetch 1')), 'not fetched again');
    assert.equal(listReports(db).length, 3);
  });

  it('loses nothing when the server goes away mid-batch: the batch is not filed, the next pass does it', async () => {
    const { db, stores, box, group } = setup();
    for (const p of GOOD) box.add(sample(p));
    box.beforeFetch = (uid) => {
      if (uid === 2) throw new Error('connection lost');
    };
    await assert.rejects(pollMailbox(box, stores, group, plan, silentLogger), /connection lost/);
    assert.equal(box.messages.size, 3, 'nothing filed from the failed batch');
    assert.equal(listReports(db).length, 0, 'the failed batch was not committed');
    box.beforeFetch = () => {};
    const t = await pollMailbox(box, stores, group, plan, silentLogger);
    assert.equal(t.new, 3);
    assert.equal(box.messages.size, 0);
  });

  it('stops after the current message when asked, with what it read committed and filed', async () => {
    const { db, stores, box, group } = setup();
    for (const p of GOOD) box.add(sample(p));
    const stop = new AbortController();
    box.beforeFetch = (uid) => {
      if (uid === 1) stop.abort();
    };
    const t = await pollMailbox(box, stores, group, plan, silentLogger, { signal: stop.signal });
    assert.equal(t.interrupted, true);
    assert.equal(t.processed, 1);
    assert.equal(listReports(db).length, 1);
    assert.equal(box.folders.get('DMARC/archive')?.length, 1);
    assert.equal(box.messages.size, 2);
  });

  it('refuses an over-size message without fetching it and keeps it for inspection', async () => {
    const { stores, box, group } = setup();
    box.add(sample(GOOD[0]!));
    box.add(new Uint8Array(7000));
    const t = await pollMailbox(box, { ...stores, limits: { ...DEFAULT_LIMITS, maxMessageBytes: 6500 } }, group, plan, silentLogger);
    assert.equal(t.invalid, 1);
    assert.match(t.invalidInputs[0]!.reason, /max_message_bytes/);
    assert.ok(!box.log.some((l) => /fetch .*2/.test(l)));
    assert.equal(box.folders.get('DMARC/invalid')?.length, 1);
  });

  it('recognises the same message under a new UIDVALIDITY by its hash', async () => {
    const { db, stores, box, group } = setup();
    box.add(sample(GOOD[0]!));
    const leave: PollPlan = { ...plan, actions: { ...plan.actions, stored: { kind: 'leave' }, duplicate: { kind: 'leave' } } };
    await pollMailbox(box, stores, group, leave, silentLogger);
    box.uidValidity = '2'; // the mailbox was recreated
    const t = await pollMailbox(box, stores, group, leave, silentLogger);
    assert.deepEqual([t.processed, t.new, t.duplicate], [1, 0, 1]);
    assert.equal(listReports(db).length, 1);
  });
});
