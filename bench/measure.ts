/**
 * One benchmark measurement in a process of its own (so peak RSS belongs to that mode alone):
 *
 *   node dist/bench/measure.js <headers|read|decode|analyze|records|pcap-parser> <capture>
 *
 * Prints one JSON line: frames, TCP segments, wall seconds, bytes, peak RSS (and verdict counts for
 * `analyze` and `records`). `headers` is the floor: a bare loop over pcap record headers with direct
 * byte access. `analyze` is the command line's default job: every connection judged and counted, and
 * the table report's listing gathered (records made only for the rows it shows). `records` also makes
 * the full record of every finding, as JSON, CSV and ndjson output do.
 */
// As the command line does (bin.ts), so that these modes measure what it would.
import { growForRecords } from '../src/cli/young-generation.js';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readCapture } from '../src/capture/reader.js';
import { SegmentDecoder } from '../src/decode/decoder.js';
import { newSegment } from '../src/decode/segment.js';
import { analyzeCapture } from '../src/engine/analyze-capture.js';
import { entryOfJudged, ListingBuilder, newEntry } from '../src/report/listing.js';
import { FINDINGS } from '../src/verdict/types.js';

export interface Measurement {
  mode: string;
  frames: number;
  segments: number;
  seconds: number;
  bytes: number;
  maxRssMB: number;
  verdicts?: Record<string, number>;
}

function bareHeaderLoop(path: string): { frames: number } {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(4 * 1024 * 1024);
  let frames = 0;
  let carry = 0;
  let skip = 24;
  try {
    for (;;) {
      const n = readSync(fd, buffer, carry, buffer.length - carry, null);
      const end = carry + n;
      let p = 0;
      if (skip > 0) {
        p = Math.min(skip, end);
        skip -= p;
      }
      while (end - p >= 16) {
        const length = buffer[p + 8] | (buffer[p + 9] << 8) | (buffer[p + 10] << 16) | (buffer[p + 11] << 24);
        if (end - p < 16 + length) break;
        p += 16 + length;
        frames++;
      }
      carry = end - p;
      buffer.copy(buffer, 0, p, end);
      if (n === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return { frames };
}

async function pcapParserLoop(path: string): Promise<{ frames: number }> {
  const require = createRequire(import.meta.url);
  const pcapParser = require('pcap-parser') as { parse(path: string): NodeJS.EventEmitter };
  let frames = 0;
  await new Promise<void>((resolve, reject) => {
    const parser = pcapParser.parse(path);
    parser.on('packet', () => frames++);
    parser.on('end', () => resolve());
    parser.on('error', reject);
  });
  return { frames };
}

async function main(): Promise<void> {
  const [mode, path] = process.argv.slice(2);
  if (mode === undefined || path === undefined) throw new Error('usage: measure.js <headers|read|decode|analyze|records|pcap-parser> <capture>');
  const bytes = statSync(path).size;
  let frames = 0;
  let segments = 0;
  let verdicts: Record<string, number> | undefined;
  const started = process.hrtime.bigint();
  switch (mode) {
    case 'headers':
      frames = bareHeaderLoop(path).frames;
      break;
    case 'pcap-parser':
      frames = (await pcapParserLoop(path)).frames;
      break;
    case 'read': {
      const result = await readCapture(path, () => undefined);
      frames = result.frames;
      break;
    }
    case 'decode': {
      const decoder = new SegmentDecoder();
      const seg = newSegment();
      const result = await readCapture(path, (frame) => {
        decoder.decode(frame, seg);
      });
      frames = result.frames;
      segments = decoder.segments;
      break;
    }
    case 'analyze':
    case 'records': {
      // As the command line does for the formats that build every finding's record.
      if (mode === 'records') growForRecords();
      const counts: Record<string, number> = {};
      let records = 0;
      const listing = new ListingBuilder(20);
      const scratch = newEntry();
      const facts = await analyzeCapture(path, {
        judged: (c, record) => {
          counts[c.verdict] = (counts[c.verdict] ?? 0) + 1;
          if (!FINDINGS.has(c.verdict)) return false;
          if (mode === 'records') return true;
          listing.offer(entryOfJudged(c, scratch), record);
          return false;
        },
        record: () => {
          records++;
        },
      }, { zeekHistory: mode === 'records' });
      if (mode === 'analyze') records = listing.build().verdicts.reduce((n, v) => n + v.shown.length, 0);
      counts.records = records;
      frames = facts.frames;
      segments = facts.tcpSegments;
      verdicts = counts;
      break;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const measurement: Measurement = { mode, frames, segments, seconds, bytes, maxRssMB: process.resourceUsage().maxRSS / 1024, verdicts };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

await main();
