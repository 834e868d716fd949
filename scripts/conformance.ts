/**
 * Differential check against tshark: for every capture with a tshark truth file (the shared corpus, or
 * captures/manifest.json), compares per stream the endpoints, first/last frame, packet count, FIN frames
 * and RST frames with closetrace's connections. Prints per-file disagreements and an agreement figure.
 *
 *   npm run conformance -- ../shared/corpus          (reads index.tsv and truth/**.json)
 *   npm run conformance -- captures                  (reads captures/manifest.json)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeCapture } from '../src/engine/analyze-capture.js';
import { MAX_EVENTS } from '../src/track/connection-store.js';
import type { ConnectionRecord } from '../src/verdict/types.js';

interface TruthStream {
  a: string;
  b: string;
  first_frame: number;
  last_frame: number;
  packets: number;
  fins: { frame: number }[];
  rsts: { frame: number }[];
}

interface Truth {
  summary: { frames: number; tcp_segments: number };
  streams: Record<string, TruthStream>;
}

interface Case {
  path: string;
  truth: Truth;
}

function loadCases(root: string): Case[] {
  const manifest = join(root, 'manifest.json');
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { captures: { file: string; tshark: Truth }[] };
    return m.captures.map((c) => ({ path: join(root, c.file), truth: c.tshark }));
  }
  const index = readFileSync(join(root, 'index.tsv'), 'utf8').trim().split('\n');
  const header = index[0].split('\t');
  const pathColumn = header.indexOf('path');
  const truthColumn = header.indexOf('truth');
  return index.slice(1).map((line) => {
    const cells = line.split('\t');
    return { path: join(root, cells[pathColumn]), truth: JSON.parse(readFileSync(join(root, cells[truthColumn]), 'utf8')) as Truth };
  });
}

function list(frames: number[]): string {
  return frames.length > 12 ? `${frames.slice(0, 12).join(',')},... (${frames.length})` : frames.join(',');
}

/**
 * A record lists at most MAX_EVENTS FINs (or RSTs); packets after the verdict are also counted in
 * `late`. Complete lists must equal tshark's; a full one must be part of tshark's, with the same total
 * where the record can tell it (events before the verdict listed whole, plus the late count).
 */
function sameEvents(listed: number[], truth: number[], late: { firstFrame: number; count: number } | null): boolean {
  if (listed.length < MAX_EVENTS) return sameSet(listed, truth);
  const all = new Set(truth);
  if (!listed.every((f) => all.has(f))) return false;
  const beforeVerdict = late === null ? listed.length : listed.filter((f) => f < late.firstFrame).length;
  return beforeVerdict >= MAX_EVENTS || beforeVerdict + (late?.count ?? 0) === truth.length;
}

function sameSet(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  return x.every((v, i) => v === y[i]);
}

export interface ConformanceResult {
  files: number;
  filesAgree: number;
  framesAgree: number;
  streams: number;
  streamsAgree: number;
  /** One line per disagreement. */
  problems: string[];
}

/** Runs closetrace on every capture of a corpus (or captures/ with its manifest) and compares with tshark. */
export async function runConformance(root: string): Promise<ConformanceResult> {
  const cases = loadCases(root);
  let streamsTotal = 0;
  let streamsAgree = 0;
  let filesAgree = 0;
  let framesAgree = 0;
  const problems: string[] = [];
  for (const c of cases) {
    const records = new Map<number, ConnectionRecord>();
    const facts = await analyzeCapture(c.path, (r) => records.set(r.stream, r));
    let fileOk = facts.frames === c.truth.summary.frames && facts.tcpSegments === c.truth.summary.tcp_segments;
    if (fileOk) framesAgree++;
    else problems.push(`${c.path}: frames ${facts.frames}/${c.truth.summary.frames}, tcp segments ${facts.tcpSegments}/${c.truth.summary.tcp_segments}`);
    const truthStreams = c.truth.streams;
    const ids = new Set<number>([...Object.keys(truthStreams).map(Number), ...records.keys()]);
    for (const id of ids) {
      streamsTotal++;
      const t = truthStreams[String(id)];
      const r = records.get(id);
      const why: string[] = [];
      if (t === undefined) why.push('extra stream');
      else if (r === undefined) why.push('missing stream');
      else {
        const ours = new Set([r.client, r.server]);
        if (!ours.has(t.a) || !ours.has(t.b)) why.push(`endpoints ${r.client} ${r.server} vs ${t.a} ${t.b}`);
        if (r.firstFrame !== t.first_frame || r.lastFrame !== t.last_frame) why.push(`frames ${r.firstFrame}-${r.lastFrame} vs ${t.first_frame}-${t.last_frame}`);
        if (r.packets !== t.packets) why.push(`packets ${r.packets} vs ${t.packets}`);
        const late = (count: number): { firstFrame: number; count: number } | null => (r.late === null ? null : { firstFrame: r.late.firstFrame, count });
        if (!sameEvents(r.fins.map((f) => f.frame), t.fins.map((f) => f.frame), late(r.late?.fins ?? 0))) why.push(`fins ${list(r.fins.map((f) => f.frame))} vs ${list(t.fins.map((f) => f.frame))}`);
        if (!sameEvents(r.resets.map((f) => f.frame), t.rsts.map((f) => f.frame), late(r.late?.resets ?? 0))) why.push(`rsts ${list(r.resets.map((f) => f.frame))} vs ${list(t.rsts.map((f) => f.frame))}`);
      }
      if (why.length === 0) streamsAgree++;
      else {
        fileOk = false;
        problems.push(`${c.path} stream ${id}: ${why.join('; ')}`);
      }
    }
    if (fileOk) filesAgree++;
  }
  return { files: cases.length, filesAgree, framesAgree, streams: streamsTotal, streamsAgree, problems };
}

async function main(): Promise<void> {
  const root = process.argv[2] ?? '../shared/corpus';
  const verbose = process.argv.includes('--verbose');
  const { files, filesAgree, framesAgree, streams: streamsTotal, streamsAgree, problems } = await runConformance(root);
  const shown = verbose ? problems : problems.slice(0, 60);
  for (const p of shown) console.log(p);
  if (shown.length < problems.length) console.log(`... ${problems.length - shown.length} more (--verbose)`);
  const pct = (n: number, d: number): string => `${((100 * n) / Math.max(d, 1)).toFixed(2)}%`;
  console.log(`files: ${files}; frame/segment counts agree on ${framesAgree} (${pct(framesAgree, files)})`);
  console.log(`streams: ${streamsTotal}; agree on ${streamsAgree} (${pct(streamsAgree, streamsTotal)})`);
  console.log(`files fully in agreement: ${filesAgree} (${pct(filesAgree, files)})`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
