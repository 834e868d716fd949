/**
 * The command line keeps memory bounded however many connections are listed: the table, markdown and
 * HTML reports gather a Listing while analysing (records made only for rows they may show), and JSON,
 * ndjson and CSV keep record texts in a RecordSpill on disk. Both must print exactly what rendering the
 * whole report in memory prints, with one thread or several, and in any arrival order.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/batch/analyze.js';
import { BoundedHeap } from '../../src/report/bounded-heap.js';
import { entryOfJudged, entryOfRecord, ListingBuilder, listingOf } from '../../src/report/listing.js';
import { RecordSpill } from '../../src/report/record-spill.js';
import { renderReport } from '../../src/render/render.js';
import { recordText, reportTexts, type ListingFormat } from '../../src/render/streamed-formats.js';
import type { JudgedConnection } from '../../src/verdict/judged-connection.js';
import type { ConnectionRecord } from '../../src/verdict/types.js';
import { analyzeCapture } from '../../src/engine/analyze-capture.js';
import { expandInputs } from '../../src/batch/inputs.js';
import { OPTIONS, record, report } from './fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const INPUTS = [join(ROOT, 'captures'), ...(existsSync(CORPUS) ? [CORPUS] : [])];

describe('BoundedHeap', () => {
  it('keeps the best items under the order, whatever order they come in', () => {
    const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const capacity of [0, 1, 3, 20, 499, 500, 800]) {
      const heap = new BoundedHeap<number, number>(capacity, (x) => x, (a, b) => a - b);
      for (const v of values) heap.offer(v);
      expect(heap.sorted()).toEqual([...values].sort((a, b) => a - b).slice(0, capacity));
    }
  });
});

describe('Listing', () => {
  it('entries made from a judged connection equal those made from its record', async () => {
    const { files } = await expandInputs(INPUTS);
    let compared = 0;
    for (const { path: file } of files) {
      await analyzeCapture(file, {
        judged: (c: JudgedConnection, make: () => ConnectionRecord) => {
          expect(entryOfJudged(c)).toEqual(entryOfRecord(make()));
          compared++;
          return false;
        },
        record: () => undefined,
      });
    }
    expect(compared).toBeGreaterThan(150);
  }, 60_000);

  it('table, markdown and HTML gathered while analysing equal rendering every record, with 1 and 2 threads', { timeout: 120_000 }, async () => {
    const runs = [
      { all: false, limit: 2, jobs: 2 },
      { all: false, limit: 20, jobs: 1 },
      { all: true, limit: 3, jobs: 1 },
      { all: true, limit: 20, jobs: 2 },
    ];
    const full = { false: await analyze(INPUTS, { all: false }), true: await analyze(INPUTS, { all: true }) };
    for (const { all, limit, jobs } of runs) {
      const options = { ...OPTIONS, limit, all };
      const listing = new ListingBuilder(limit);
      const gathered = await analyze(INPUTS, { jobs, workerPolicy: 'all', filter: { all }, listing });
      expect(gathered.connections).toEqual([]);
      const built = listing.build();
      for (const format of ['table', 'markdown', 'html'] as const) {
        expect(renderReport(format, gathered, options, built), `${format} all=${all} limit=${limit} jobs=${jobs}`).toBe(renderReport(format, full[`${all}`], options));
      }
    }
  });

  it('a listing without the charts\' figures (table, markdown) renders the same and keeps none of them', { timeout: 120_000 }, async () => {
    const full = await analyze(INPUTS, { all: true });
    for (const jobs of [1, 2]) {
      const listing = new ListingBuilder(20, false);
      const gathered = await analyze(INPUTS, { jobs, workerPolicy: 'all', filter: { all: true }, listing });
      const built = listing.build();
      expect(built.ends.length + built.endVerdicts.length + built.stuckSeconds.length, `jobs=${jobs}`).toBe(0);
      for (const format of ['table', 'markdown'] as const) {
        expect(renderReport(format, gathered, { ...OPTIONS, limit: 20, all: true }, built), `${format} jobs=${jobs}`).toBe(renderReport(format, full, { ...OPTIONS, limit: 20, all: true }));
      }
    }
    const charted = new ListingBuilder(20);
    await analyze(INPUTS, { filter: { all: true }, listing: charted });
    expect(charted.build().ends.length).toBeGreaterThan(0);
  });

  it('merging partials in any order gives the listing of all records', () => {
    const records = Array.from({ length: 60 }, (_, i) =>
      record({ stream: i, file: i % 2 === 0 ? 'b.pcap' : 'a.pcap', verdict: i % 3 === 0 ? 'close-wait' : 'reset', stuckSeconds: i % 3 === 0 ? (i * 37) % 11 : null, cause: 'no-socket' }),
    );
    const whole = listingOf(records, 4);
    const parts = [new ListingBuilder(4), new ListingBuilder(4), new ListingBuilder(4)];
    records.forEach((r, i) => parts[(i * 5) % 3].offer(entryOfRecord(r), () => r));
    const merged = new ListingBuilder(4);
    for (const p of [parts[2], parts[0], parts[1]]) merged.addPartial(structuredClone(p.partial()));
    const built = merged.build();
    expect(built.verdicts).toEqual(whole.verdicts);
    expect(built.longestStuck).toEqual(whole.longestStuck);
    expect([...built.stuckSeconds].sort()).toEqual([...whole.stuckSeconds].sort());
    expect(built.ends.length).toBe(whole.ends.length);
  });
});

/** A record's text as the format writes it, spilled under its file and stream (as the command line does). */
function spillRecord(spill: RecordSpill, format: ListingFormat, r: ConnectionRecord): void {
  spill.add(r.file, r.stream, recordText(format)(r));
}

describe('RecordSpill', () => {
  const records = [
    record({ file: 'b.pcap', stream: 3, explanation: 'line one\nwith "quotes", commas and ünïcode' }),
    record({ file: 'a.pcap', stream: 9 }),
    record({ file: 'b.pcap', stream: 1 }),
    record({ file: 'a.pcap', stream: 2, verdict: 'reset' }),
    // The same file given twice: its records tie and keep their arrival order.
    record({ file: 'a.pcap', stream: 2, verdict: 'reset' }),
  ];

  for (const format of ['json', 'ndjson', 'csv'] as ListingFormat[]) {
    it(`${format}: texts read back from disk give the in-memory rendering`, async () => {
      const inMemory = report(records);
      inMemory.connections.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.stream - y.stream));
      const spill = new RecordSpill();
      try {
        for (const r of records) spillRecord(spill, format, r);
        expect(spill.size).toBe(records.length);
        await spill.settle();
        const text = [...reportTexts(format, { ...inMemory, connections: [] }, spill.texts())].join('');
        expect(text).toBe(renderReport(format, inMemory, OPTIONS));
      } finally {
        spill.remove();
      }
    });
  }

  it('json without any connection is still the rendering of an empty list', async () => {
    const empty = report([]);
    const spill = new RecordSpill();
    try {
      await spill.settle();
      expect([...reportTexts('json', empty, spill.texts())].join('')).toBe(renderReport('json', empty, OPTIONS));
    } finally {
      spill.remove();
    }
  });

  it('keeps every text whole across many write buffers of multi-byte characters', async () => {
    // 3,000 records of 1-4 byte characters: over 4 MiB, so texts end and start around every flush.
    const many = Array.from({ length: 3000 }, (_, i) => record({ stream: i, explanation: `${'ü€😀x'.repeat(60 + (i % 97))} ${i}` }));
    const spill = new RecordSpill();
    try {
      for (const r of many) spillRecord(spill, 'ndjson', r);
      await spill.settle();
      expect([...spill.texts()]).toEqual(many.map(recordText('ndjson')));
    } finally {
      spill.remove();
    }
  });

  it('holds a record bigger than its write buffer', async () => {
    const big = record({ explanation: 'x'.repeat(3 << 20) });
    const spill = new RecordSpill();
    try {
      spillRecord(spill, 'ndjson', record({ stream: 1 }));
      spillRecord(spill, 'ndjson', big);
      await spill.settle();
      const texts = [...spill.texts()];
      expect(texts).toHaveLength(2);
      expect(JSON.parse(texts[0]).explanation).toHaveLength(3 << 20);
    } finally {
      spill.remove();
    }
  });
});
