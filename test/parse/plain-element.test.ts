/** The fast path must give exactly fast-xml-parser's tree, or step aside (null). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { parsePlainElement } from '../../src/report/aggregate/parse/plain-element.js';
import { SECTION_PARSER_OPTIONS } from '../../src/report/aggregate/parse/xml-node.js';

// createSectionParser's own options (src/report/aggregate/parse/xml-node.ts), without the fast path.
const fxp = new XMLParser(SECTION_PARSER_OPTIONS(32));

function agrees(xml: string): 'fast' | 'fallback' {
  const fast = parsePlainElement(xml, 32);
  if (fast === null) return 'fallback';
  assert.deepEqual(fast, fxp.parse(xml), xml.slice(0, 300));
  return 'fast';
}

const SAMPLES = fileURLToPath(new URL('../fixtures/samples/aggregate/parsedmarc/', import.meta.url));

describe('parsePlainElement', () => {
  it('agrees with fast-xml-parser on every section of the XML samples, and takes most records', () => {
    let fast = 0;
    let total = 0;
    for (const name of readdirSync(SAMPLES)) {
      const path = join(SAMPLES, name);
      if (!name.endsWith('.xml') || statSync(path).size === 0) continue;
      const text = readFileSync(path, 'latin1');
      for (const m of text.matchAll(/<((?:\w+:)?(?:record|report_metadata|policy_published))[\s>][\s\S]*?<\/\1>/g)) {
        total++;
        if (agrees(m[0]) === 'fast') fast++;
      }
    }
    assert.ok(total > 2300, `${total} sections`);
    assert.ok(fast / total > 0.95, `${fast} of ${total} on the fast path`);
  });

  it('steps aside for attributes, comments, CDATA, mixed content, bad nesting and prototype keys', () => {
    for (const xml of [
      '<a><b x="1">t</b></a>',
      '<a><!-- c --><b>t</b></a>',
      '<a><b><![CDATA[<x>]]></b></a>',
      '<a>text<b>t</b></a>',
      '<a><b>t</c></a>',
      '<a><b>t</b>',
      '<a><__proto__>x</__proto__></a>',
      '<a><b>bad<xml</b></a>',
      '',
      'text',
    ]) {
      assert.equal(parsePlainElement(xml, 32), null, xml);
    }
    assert.equal(parsePlainElement('<a>' + '<b>'.repeat(40) + '</b>'.repeat(40) + '</a>', 32), null);
  });

  it('agrees on generated element trees (prefixes, repeats, empty and self-closed elements, entities)', () => {
    const name = fc.constantFrom('a', 'b', 'dkim', 'spf', 'record', 'ns:row', 'x.y', 'z-1');
    const text = fc.constantFrom('', ' ', 'pass', ' 192.0.2.1 ', 'a &amp; b', '&lt;x&gt;', 'é ü', '\n\t');
    const tree: fc.Arbitrary<string> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.tuple(name, text).map(([n, t]) => `<${n}>${t}</${n}>`),
        name.map((n) => `<${n}/>`),
        fc.tuple(name, fc.array(tie('node'), { maxLength: 4 }), fc.constantFrom('', ' ', '\n  ')).map(
          ([n, kids, ws]) => `<${n}>${ws}${kids.join(ws)}${ws}</${n}>`,
        ),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (xml) => {
        agrees(`<root>${xml}</root>`);
      }),
      { numRuns: 2000 },
    );
  });
});
