/** The section cutter: whatever the chunking, it yields exactly the root's children, and markup
 * inside CDATA, comments and processing instructions never ends a section (issue 12 #12). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { IssueLog } from '../../src/report/aggregate/issues.js';
import { splitSections } from '../../src/report/aggregate/parse/sections.js';

function cut(xml: string, size: number): { sections: string[]; issues: string[] } {
  const texts: string[] = [];
  for (let i = 0; i < xml.length; i += size) texts.push(xml.slice(i, i + size));
  const issues = new IssueLog();
  const sections = [...splitSections(texts, DEFAULT_LIMITS, issues, () => undefined)].map((s) => s.xml);
  return { sections, issues: issues.list().map((i) => i.code) };
}

const NAMES = ['report_metadata', 'policy_published', 'record', 'version', 'org_name'] as const;

/** Text that looks like the markup the cutter searches for. */
const tricky = fc.array(
  fc.constantFrom('</record>', '</report_metadata>', '</org_name>', '</feedback>', '<record>', '<', '>', ']]', ']>', '--', '?', 'x', ' ', '</recordx>'),
  { maxLength: 8 },
).map((parts) => parts.join(''));

/** Content that holds `tricky` where XML allows it to be any text: CDATA, comments, PIs. */
const hidden = fc.oneof(
  tricky.filter((t) => !t.includes(']]>')).map((t) => `<![CDATA[${t}]]>`),
  tricky.filter((t) => !t.includes('--') && !t.endsWith('-')).map((t) => `<!--${t}-->`),
  tricky.filter((t) => !t.includes('?>')).map((t) => `<?pi ${t}?>`),
  fc.constantFrom('text', '<a>b</a>', '<c/>', ''),
);

const section = fc
  .tuple(fc.constantFrom(...NAMES), fc.array(hidden, { maxLength: 5 }))
  .map(([name, parts]) => `<${name}>${parts.join('')}</${name}>`);

describe('splitSections', () => {
  it('yields each child whole, whatever CDATA, comments and PIs inside hold, at any chunk size', () => {
    fc.assert(
      fc.property(fc.array(section, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 64 }), (sections, size) => {
        const xml = `<?xml version="1.0"?><feedback>\n${sections.join('\n')}\n</feedback>`;
        const result = cut(xml, size);
        assert.deepEqual(result.sections, sections);
        assert.deepEqual(result.issues, []);
      }),
      { numRuns: 500 },
    );
  });

  it('the exact case of issue 12: a CDATA org_name holding </org_name></report_metadata>', () => {
    const metadata = '<report_metadata><org_name><![CDATA[Acme </org_name></report_metadata> Inc]]></org_name></report_metadata>';
    for (const size of [1, 3, 9, 1000]) {
      assert.deepEqual(cut(`<feedback>${metadata}<record/></feedback>`, size).sections, [metadata, '<record/>']);
    }
  });

  it('a CDATA section left open ends the document as truncated, dropping that element', () => {
    const result = cut('<feedback><version>1</version><record><![CDATA[</record>', 4);
    assert.deepEqual(result.sections, ['<version>1</version>']);
    assert.deepEqual(result.issues, ['xml.truncated']);
  });

  it('a document cut right after an end tag keeps that element', () => {
    for (const size of [1, 4, 100]) {
      const result = cut('<feedback><version>1</version><a>a longer text than ten</a>', size);
      assert.deepEqual(result.sections, ['<version>1</version>', '<a>a longer text than ten</a>']);
      assert.deepEqual(result.issues, ['xml.truncated']);
    }
  });
});
