import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { LimitExceededError, MalformedInputError } from '../../src/errors.js';
import { drain, gzip, limits, makeZip, payload, text, xmlReport } from './support.js';

const a = text(xmlReport('a'));
const b = text(xmlReport('b'));

describe('zip payloads', () => {
  it('yields every member, named as in the archive', () => {
    const zip = makeZip([
      { name: 'a.xml', data: a },
      { name: 'sub/b.xml', data: b, method: 0 },
    ]);
    assert.deepEqual(
      drain(payload('two.zip', zip)).map((d) => [d.name, d.size]),
      [
        ['a.xml', a.length],
        ['sub/b.xml', b.length],
      ],
    );
  });

  it('reads archives written by another zip writer (fflate), deflated and stored', () => {
    for (const level of [0, 6] as const) {
      const zip = zipSync({ 'r.xml': a, 'dir/': new Uint8Array(0) }, { level });
      assert.deepEqual(
        drain(payload('f.zip', zip)).map((d) => d.name),
        ['r.xml'],
      );
    }
  });

  it('skips directory entries silently and names members without a name (NOTES.md §8.6)', () => {
    const zip = makeZip([
      { name: 'reports/', data: new Uint8Array(0), method: 0 },
      { name: 'win\\', data: new Uint8Array(0), method: 0, externalAttributes: 0x10 },
      { name: '', data: a },
    ]);
    assert.deepEqual(
      drain(payload('odd.zip', zip)).map((d) => d.name),
      ['member 3'],
    );
  });

  it('gunzips gzip members, with the .gz stripped from the name', () => {
    const zip = makeZip([{ name: 'r.xml.gz', data: gzip(a) }]);
    assert.deepEqual(
      drain(payload('z.zip', zip)).map((d) => [d.name, d.size]),
      [['r.xml', a.length]],
    );
  });

  it('skips members that are not reports, and rejects an archive with no report at all', () => {
    const mixed = makeZip([
      { name: 'README.txt', data: text('these are reports') },
      { name: 'r.xml', data: a },
    ]);
    assert.deepEqual(
      drain(payload('m.zip', mixed)).map((d) => d.name),
      ['r.xml'],
    );
    const none = makeZip([
      { name: 'README.txt', data: text('nothing here') },
      { name: 'empty.xml', data: new Uint8Array(0) },
    ]);
    assert.throws(() => drain(payload('n.zip', none, 'attachment')), {
      name: 'MalformedInputError',
      message: 'attachment n.zip is a zip archive with no XML report in it: README.txt is text "nothing here"; empty.xml is empty (0 bytes)',
    });
    const emptyArchive = makeZip([]);
    assert.throws(() => drain(payload('e.zip', emptyArchive)), /e\.zip is a zip archive with no XML report in it \(no members\)/);
  });

  it('rejects what it cannot read with the member and the reason', () => {
    assert.throws(() => drain(payload('enc.zip', makeZip([{ name: 'r.xml', data: a, flags: 1 }]))), { message: 'r.xml in enc.zip is encrypted' });
    assert.throws(() => drain(payload('bz.zip', makeZip([{ name: 'r.xml', raw: a, size: a.length, crc: crc32(a), method: 12 }]))), /r\.xml in bz\.zip uses zip compression method 12/);
    assert.throws(() => drain(payload('crc.zip', makeZip([{ name: 'r.xml', data: a, crc: 1234 }]))), { message: 'r.xml in crc.zip is corrupt (CRC-32 mismatch)' });
    const deflated = new Uint8Array(deflateRawSync(a));
    const cut = makeZip([{ name: 'r.xml', raw: deflated.subarray(0, 40), size: a.length, crc: crc32(a) }]);
    assert.throws(() => drain(payload('cut.zip', cut)), /r\.xml in cut\.zip is corrupt \(unexpected end of file\)/);
  });

  it('rejects archives whose structure is broken', () => {
    const zip = makeZip([{ name: 'r.xml', data: a }]);
    assert.throws(() => drain(payload('t.zip', zip.subarray(0, zip.length - 30))), (e: unknown) => {
      assert.ok(e instanceof MalformedInputError);
      assert.match(e.message, /^t\.zip is not a valid zip archive/);
      return true;
    });
    const pointsOutside = new Uint8Array(zip);
    const eocd = zip.length - 22;
    pointsOutside.set([0xff, 0xff, 0xff, 0x00], eocd + 16); // central directory offset
    assert.throws(() => drain(payload('o.zip', pointsOutside)), /o\.zip is not a valid zip archive/);
  });

  it('caps the member count at max_zip_members, counting files only', () => {
    const entries = Array.from({ length: 17 }, (_, i) => ({ name: `r${i}.xml`, data: a }));
    assert.throws(() => drain(payload('many.zip', makeZip(entries))), (e: unknown) => {
      assert.ok(e instanceof LimitExceededError);
      assert.equal(e.setting, 'max_zip_members');
      assert.equal(e.limit, 16);
      return true;
    });
    const sixteenAndDirs = makeZip([{ name: 'd/', method: 0 }, ...entries.slice(0, 16), { name: 'e/', method: 0 }]);
    assert.equal(drain(payload('ok.zip', sixteenAndDirs)).length, 16);
  });

  it('shares one decompression budget across members', () => {
    const big = text(xmlReport('big', 200)); // ~80 KB each
    const zip = makeZip([
      { name: '1.xml', data: big },
      { name: '2.xml', data: big },
    ]);
    const lim = limits({ maxDecompressedBytes: Math.floor(big.length * 1.5) });
    assert.equal(drain(payload('1.zip', makeZip([{ name: '1.xml', data: big }])), lim).length, 1);
    assert.throws(() => drain(payload('2.zip', zip), lim), LimitExceededError);
  });
});
