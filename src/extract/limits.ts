/**
 * Every size and count cap in one place (STYLE.md 7). Each cap has a reason and the name of the
 * `[limits]` setting that raises it; exceeding one is a LimitExceededError naming that setting,
 * never an out-of-memory.
 */

export interface Limits {
  /** A whole message or input file. Reports are small: the largest real ones are ~1 MB zipped.
   * Also caps a zip archive found inside a gzip or zip layer, which is held in memory for random
   * access just like a message. */
  readonly maxMessageBytes: number;
  /** Decompressed bytes per input (all members together): stops gzip/zip bombs. A 100k-record
   * report is ~80-100 MB of XML, so the default leaves room for several of those. */
  readonly maxDecompressedBytes: number;
  /** Members read from one zip archive; real reporters send one. */
  readonly maxZipMembers: number;
  /** Containers inside containers (gzip in gzip, zip in gzip, message/rfc822 in a message). */
  readonly maxNestingDepth: number;
  /** Records per report: the store batches them, this only bounds absurd input. */
  readonly maxRecordsPerReport: number;
  /** One `<record>` (or report_metadata / policy_published) section: a record is < 10 KB even
   * with 100 DKIM signatures; without a cap an unclosed tag would buffer the whole document. */
  readonly maxSectionBytes: number;
  /** Element nesting inside a section; the format is at most 5 deep. */
  readonly maxXmlDepth: number;
  /** Records held back when they come before report_metadata/policy_published (never seen in
   * practice, but not ruled out by the format). */
  readonly maxRecordsBeforeHeader: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxMessageBytes: 64 * 1024 * 1024,
  maxDecompressedBytes: 1024 * 1024 * 1024,
  maxZipMembers: 16,
  maxNestingDepth: 4,
  maxRecordsPerReport: 5_000_000,
  maxSectionBytes: 4 * 1024 * 1024,
  maxXmlDepth: 32,
  maxRecordsBeforeHeader: 10_000,
};

/** The `[limits]` key that raises each cap, used in error messages and config. */
export const LIMIT_SETTINGS: { readonly [K in keyof Limits]: string } = {
  maxMessageBytes: 'max_message_bytes',
  maxDecompressedBytes: 'max_decompressed_bytes',
  maxZipMembers: 'max_zip_members',
  maxNestingDepth: 'max_nesting_depth',
  maxRecordsPerReport: 'max_records_per_report',
  maxSectionBytes: 'max_section_bytes',
  maxXmlDepth: 'max_xml_depth',
  maxRecordsBeforeHeader: 'max_records_before_header',
};
