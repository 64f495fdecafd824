/**
 * Streaming, tolerant parse of one aggregate report document (RFC 7489 App. C, RFC 9990 §3 and
 * the drafts, plus the quirks real reporters produce: docs/reports-in.md "What ruaflow accepts").
 *
 * A generator: it yields the header as soon as report_metadata and policy_published are read
 * (so the store can check for a duplicate before any record), then each record, and returns the
 * outcome. Nothing but one section at a time is held, so memory does not grow with the report.
 * Throws ReportRejectedError when required data is missing, LimitExceededError past a cap.
 */
import { LimitExceededError, MalformedInputError, ReportRejectedError } from '../../errors.js';
import { LIMIT_SETTINGS, type Limits } from '../../limits.js';
import { IssueLog } from './issues.js';
import type { AggregateRecord, ReportHeader, ReportIssue } from './types.js';
import { DMARC2_NAMESPACE } from './vocabulary.js';
import { decodeXml } from './parse/decode.js';
import { readHeader } from './parse/read-header.js';
import { readRecord } from './parse/read-record.js';
import { splitSections, type Section } from './parse/sections.js';
import { withoutControls } from './parse/text-field.js';
import { createSectionParser, NeedsRepair, repairSection } from './parse/xml-node.js';
import type { XmlNode, XmlValue } from './parse/xml-tree.js';

export type ParseEvent =
  | { readonly kind: 'header'; readonly header: ReportHeader }
  | { readonly kind: 'record'; readonly record: AggregateRecord };

export interface ParseOutcome {
  readonly header: ReportHeader;
  /** Records kept (skipped ones are counted in issues). */
  readonly records: number;
  /** Sum of the kept records' counts. */
  readonly messages: number;
  readonly issues: ReportIssue[];
}

/** Root children we know; anything else is ignored with an issue. */
const IGNORED_SECTIONS = new Set(['extension', 'extensions']);

export function* parseAggregate(
  bytes: Iterable<Uint8Array>,
  limits: Limits,
  issues: IssueLog = new IssueLog(),
): Generator<ParseEvent, ParseOutcome> {
  const parse = createSectionParser(limits.maxXmlDepth);
  let version: string | null = null;
  let metadata: XmlNode | undefined;
  let policy: XmlNode | undefined;
  let header: ReportHeader | undefined;
  const held: AggregateRecord[] = [];
  let records = 0;
  let messages = 0;

  const readWhole = (section: Section): XmlNode => {
    const node = element(parse(section.xml), section.name);
    return looksMalformed(node) ? element(parse(repaired(section)), section.name) : node;
  };
  const makeHeader = (): ReportHeader =>
    readHeader(
      {
        namespace: root.namespace,
        version,
        metadata,
        policy,
      },
      issues,
    );
  const root: { namespace: string | null } = { namespace: null };
  const sections = splitSections(decodeXml(bytes, issues), limits, issues, (info) => {
    root.namespace = info.namespace;
  });
  for (const section of sections) {
    switch (section.name) {
      case 'version': {
        const node = parse(section.xml)['version'];
        const clean = typeof node === 'string' ? withoutControls('version', node, issues).trim() : '';
        version = clean !== '' ? clean : null;
        break;
      }
      case 'report_metadata':
        if (metadata === undefined) metadata = readWhole(section);
        else issues.note('report_metadata.multiple', 'more than one <report_metadata>; the first is used');
        break;
      case 'policy_published':
        // Several policy_published are seen; parsedmarc takes the first, so do we.
        if (policy === undefined) policy = readWhole(section);
        else issues.note('policy_published.multiple', 'more than one <policy_published>; the first is used');
        break;
      case 'record': {
        const record = readRecordSection(section);
        if (record === null) break;
        if (++records > limits.maxRecordsPerReport) {
          throw new LimitExceededError(LIMIT_SETTINGS.maxRecordsPerReport, limits.maxRecordsPerReport, 'the number of records in the report');
        }
        messages += record.count;
        if (header !== undefined) {
          yield { kind: 'record', record };
        } else {
          held.push(record);
          if (held.length > limits.maxRecordsBeforeHeader) {
            throw new ReportRejectedError(
              `${metadata === undefined ? '<report_metadata>' : '<policy_published>'} is missing (not found before record ${held.length})`,
            );
          }
        }
        break;
      }
      default:
        if (!IGNORED_SECTIONS.has(section.name)) issues.note(`xml.unknown.${section.name}`, `unknown element <${section.name}> ignored`);
    }
    if (header === undefined && metadata !== undefined && policy !== undefined) {
      header = makeHeader();
      yield { kind: 'header', header };
      yield* flush();
    }
  }

  if (header === undefined) {
    header = makeHeader(); // throws, naming what is missing, unless only the order was odd
    yield { kind: 'header', header };
    yield* flush();
  }
  if (records === 0) throw new ReportRejectedError('no usable <record> (each needs a source_ip and a count)');

  // <version> or <identities> may come after the header was handed out: settle the format now.
  const final = settleFormat({ ...header, version: version ?? header.version }, issues);
  return { header: final, records, messages, issues: issues.list() };

  function* flush(): Generator<ParseEvent> {
    for (const record of held) yield { kind: 'record', record };
    held.length = 0;
  }

  function readRecordSection(section: Section): AggregateRecord | null {
    try {
      try {
        return readRecord(element(parse(section.xml), 'record'), issues, false);
      } catch (error) {
        if (!(error instanceof NeedsRepair)) throw error;
        return readRecord(element(parse(repaired(section)), 'record'), issues, true);
      }
    } catch (error) {
      // One unreadable record does not sink the report; a cap does.
      if (!(error instanceof MalformedInputError)) throw error;
      issues.note('record.unreadable', `record skipped: ${error.message}`);
      return null;
    }
  }

  /** The section's text after repair, noting what kind of damage it had. */
  function repaired(section: Section): string {
    const fixed = repairSection(section.xml);
    if (fixed === section.xml) {
      // Well-formed, but with text where only elements belong (`<sp>none</sp>11`).
      issues.note(`xml.stray_text.${section.name}`, `stray text inside <${section.name}> ignored`);
    } else {
      issues.note(`xml.repaired.${section.name}`, `<${section.name}> was not well-formed XML; repaired`);
    }
    return fixed;
  }
}

function settleFormat(header: ReportHeader, issues: IssueLog): ReportHeader {
  if (header.namespace === DMARC2_NAMESPACE) return { ...header, format: 'rfc9990' };
  if (header.format === 'rfc7489' && issues.has('record.identities')) return { ...header, format: 'draft' };
  return header;
}

function element(doc: XmlNode, name: string): XmlNode {
  const value = doc[name];
  const node = Array.isArray(value) ? value[0] : value;
  return node !== undefined && typeof node === 'object' && !Array.isArray(node) ? node : {};
}

/** A valid report never has mixed content or element names with characters outside XML names:
 * either means a stray `<` was taken for markup. */
function looksMalformed(node: XmlValue): boolean {
  if (typeof node === 'string') return false;
  if (Array.isArray(node)) return node.some(looksMalformed);
  const keys = Object.keys(node);
  if (keys.length > 1 && keys.includes('#text')) return true;
  for (const key of keys) {
    if (key !== '#text' && !/^[A-Za-z_][\w.-]*$/.test(key)) return true;
    if (looksMalformed(node[key] as XmlValue)) return true;
  }
  return false;
}
