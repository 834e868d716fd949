import type { Readable } from 'node:stream';
import type { Frame } from '../capture/frame.js';
import { fragmentLimitWarning } from '../decode/fragments.js';
import { linkTypeName } from '../decode/link-types.js';
import { Reason, REASON_NAMES, type NotDecodedReason } from '../decode/reasons.js';
import { SegmentKind } from '../decode/segment.js';
import { DEFAULT_FLOW_OPTIONS } from '../flow/flow-assembler.js';
import { AnalysisStages } from '../engine/analysis-stages.js';
import { emptyQuality, qualityWarning } from '../engine/capture-facts.js';
import { lateWarning } from '../engine/analyze-capture.js';
import type { InputFile } from './inputs.js';
import type { CaptureFacts } from '../report/model.js';
import { isoTime } from '../time/time-text.js';
import { FINDINGS, type ConnectionRecord } from '../verdict/types.js';
import type { AnalysisSettings } from './analysis-settings.js';
import { failedCapture } from './capture-facts.js';
import type { FileSink } from './file-analysis.js';
import { FrameMerger } from './frame-merge.js';
import { FrameSourceMap, type FrameSource } from './frame-sources.js';

/** A connection record of a joined run: frame numbers are the merged capture's; `sources` says where they are. */
export type JoinedConnectionRecord = ConnectionRecord & {
  /**
   * For the first and last frame and every frame the record names (evidence, FINs, RSTs, ICMP errors):
   * the input file and its frame number there, ascending by joined frame. Only in joined runs.
   */
  sources: FrameSource[];
};

export interface JoinedRun {
  signal?: AbortSignal;
  stdin?: Readable;
  /** Raw bytes read of input `index` (its position in `files`) and its size, after each refill. */
  onProgress?: (index: number, rawBytesRead: number, rawSize: number, frames: number) => void;
  /** Input `index` has been read to its end (or could not be). */
  onInputDone?: (index: number) => void;
}

/** The name joined connections carry in `file`: the inputs as given, so "rotated/" reads as itself. */
export function joinedCaptureName(inputs: readonly string[]): string {
  return inputs.join(' + ');
}

/** Per-input tallies of a joined run, for that input's row in `captures`. */
interface InputTally {
  segments: number;
  notDecoded: number[];
  connections: number;
  findings: number;
  evicted: number;
  stragglers: number;
  fragmentsGivenUp: number;
}

/**
 * Analyses all `files` as ONE capture (a rotated set, or captures of one link taken in pieces): their
 * frames are merged by timestamp (FrameMerger), so a connection that spans files is one connection and a
 * close in the next file is seen as the close it is. Streams and frame numbers are the merged capture's
 * (what tshark shows on `mergecap -w all.pcapng <files>`); records carry `sources` to find the frames in
 * the files. Returns one row per input, in input order: its reading facts, and the segments, connections
 * (by the file of their first frame), findings and warnings that belong to it.
 *
 * The stages are the ones analyzeCapture() runs for a single file, fed from the merge instead of one
 * reader (keep the two in step).
 */
export async function analyzeJoined(files: readonly InputFile[], name: string, sink: FileSink, settings: AnalysisSettings, run: JoinedRun = {}): Promise<CaptureFacts[]> {
  const readable = files.map((f, i) => ({ file: f, index: i })).filter((x) => x.file.error === null);
  const paths = readable.map((x) => x.file.path);
  const sources = new FrameSourceMap(paths);
  const tallies: InputTally[] = paths.map(() => ({ segments: 0, notDecoded: new Array<number>(REASON_NAMES.length).fill(0), connections: 0, findings: 0, evicted: 0, stragglers: 0, fragmentsGivenUp: 0 }));
  // The record a sink gets carries the sources of the frames it names; late packets of its stream add
  // frames, so they are found again when it is let go.
  const withSources = (full: ConnectionRecord): JoinedConnectionRecord => Object.assign(full, { sources: sourcesOf(full, sources) });
  const stages = new AnalysisStages(
    name,
    settings,
    (judged, record, flow) => {
      const owner = sources.fileOf(flow.firstFrame);
      const tally = tallies[owner >= 0 ? owner : Math.max(current, 0)];
      tally.connections++;
      if (FINDINGS.has(judged.verdict)) tally.findings++;
      if (!sink.scope(judged)) return false;
      sink.onJudged?.(judged);
      return sink.count(judged, () => withSources(record()));
    },
    (record) => sink.record(withSources(record)),
    withSources,
  );
  const { decoder, flows } = stages;

  // Decoder and flow counters are shared by all inputs; they are split per input by taking the
  // difference whenever the merge moves to another file (rare for a rotated set). The not-decoded
  // counts, an object to build, are only read when a frame since the last switch was not a plain segment.
  let current = -1;
  let baseSegments = 0;
  let baseEvicted = 0;
  let baseStragglers = 0;
  let baseGivenUp = 0;
  let baseNotDecoded: Partial<Record<NotDecodedReason, number>> = {};
  let dirty = false;
  const settle = (): void => {
    if (current < 0) return;
    const t = tallies[current];
    t.segments += decoder.segments - baseSegments;
    baseSegments = decoder.segments;
    t.evicted += flows.evicted - baseEvicted;
    baseEvicted = flows.evicted;
    t.stragglers += flows.stragglers - baseStragglers;
    baseStragglers = flows.stragglers;
    t.fragmentsGivenUp += decoder.fragmentDatagramsGivenUp - baseGivenUp;
    baseGivenUp = decoder.fragmentDatagramsGivenUp;
    if (!dirty) return;
    const now = decoder.notDecoded();
    for (let r = 1; r < REASON_NAMES.length; r++) {
      const key = REASON_NAMES[r] as NotDecodedReason;
      t.notDecoded[r] += (now[key] ?? 0) - (baseNotDecoded[key] ?? 0);
    }
    baseNotDecoded = now;
    dirty = false;
  };

  const onFrame = (frame: Frame, input: number, fileFrame: number): void => {
    sources.note(frame.number, input, fileFrame);
    if (input !== current) {
      settle();
      current = input;
    }
    stages.frame(frame);
    if (stages.lastKind !== SegmentKind.Normal) dirty = true;
  };

  const merger = new FrameMerger(paths, {
    signal: run.signal,
    stdin: run.stdin,
    onProgress: run.onProgress === undefined ? undefined : (i, read, size, frames): void => run.onProgress?.(readable[i].index, read, size, frames),
    onInputDone: (i) => run.onInputDone?.(readable[i].index),
  });
  await merger.run(onFrame);
  const reads = merger.facts();

  // Connections still open are judged as of the joined capture's last packet (the latest end of any file).
  let end: { seconds: number; nanos: number } | null = null;
  let precision = 6;
  for (const r of reads) {
    if (r === null) continue;
    precision = Math.max(precision, r.precision);
    if (r.end !== null && (end === null || r.end.seconds > end.seconds || (r.end.seconds === end.seconds && r.end.nanos > end.nanos))) end = r.end;
  }
  stages.finish(end, precision);
  settle();
  const sockets = stages.socketTable();

  const maxFlows = settings.maxConnections ?? DEFAULT_FLOW_OPTIONS.maxFlows;
  const grace = settings.closeGraceSeconds ?? DEFAULT_FLOW_OPTIONS.graceSeconds;
  const rows: CaptureFacts[] = files.map((f) => failedCapture(f.path, f.error ?? ''));
  readable.forEach(({ file, index }, i) => {
    const r = reads[i];
    const t = tallies[i];
    if (r === null) {
      rows[index] = { ...failedCapture(file.path, ''), error: null, warnings: ['reading was interrupted before this file was reached'] };
      return;
    }
    const warnings: string[] = [];
    if (t.evicted > 0) warnings.push(`${t.evicted} connections were judged early because more than ${maxFlows} were open at once (raise --max-connections)`);
    if (t.stragglers > 0) warnings.push(lateWarning(t.stragglers, grace));
    const fragments = fragmentLimitWarning(t.notDecoded[Reason.FragmentDropped], t.fragmentsGivenUp);
    if (fragments !== null) warnings.push(fragments);
    if (r.interrupted) warnings.push('reading was interrupted; the report covers the packets read until then');
    // The joined set's connection counts belong to it as a whole: carried by its first file, like its socket table.
    const quality = { ...(i === 0 ? stages.quality : emptyQuality()), droppedByInterface: r.statistics?.interfaceDrops ?? null, droppedByOs: r.statistics?.osDrops ?? null };
    const qualityText = qualityWarning(quality);
    if (qualityText !== null) warnings.push(qualityText);
    const notDecoded: Partial<Record<NotDecodedReason, number>> = {};
    for (let k = 1; k < REASON_NAMES.length; k++) if (t.notDecoded[k] > 0) notDecoded[REASON_NAMES[k] as NotDecodedReason] = t.notDecoded[k];
    rows[index] = {
      file: file.path,
      format: r.format,
      compressed: r.compression !== null,
      compression: r.compression,
      linkTypes: r.linkTypes.map(linkTypeName),
      frames: r.frames,
      tcpSegments: t.segments,
      connections: t.connections,
      findings: t.findings,
      start: r.start === null ? null : isoTime(r.start.seconds, r.start.nanos, r.precision),
      end: r.end === null ? null : isoTime(r.end.seconds, r.end.nanos, r.precision),
      notDecoded,
      error: r.error,
      warnings,
      quality,
      // The joined set is one capture with one socket table: carried by its first file.
      ...(i === 0 ? { sockets } : {}),
    };
  });
  return rows;
}

/** Sources of the frames a record names, ascending, each once. */
function sourcesOf(record: ConnectionRecord, map: FrameSourceMap): FrameSource[] {
  const frames = new Set<number>([record.firstFrame, record.lastFrame, ...record.evidence]);
  for (const f of record.fins) frames.add(f.frame);
  for (const r of record.resets) frames.add(r.frame);
  for (const e of record.icmpErrors) frames.add(e.frame);
  const out: FrameSource[] = [];
  for (const frame of [...frames].sort((a, b) => a - b)) {
    const source = frame > 0 ? map.lookup(frame) : null;
    if (source !== null) out.push(source);
  }
  return out;
}
