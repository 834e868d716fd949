/**
 * `--extract FILE`: every frame of the listed connections, copied into one pcapng capture for the
 * ticket. The report names connections by tcp.stream, but which frame belongs to which stream is known
 * only while the flow stage runs, so the inputs are read a second time through the same stages (same
 * settings, so the same numbering) and each frame whose stream is listed is written at once: nothing is
 * held in memory but the stream sets.
 */
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Frame } from '../capture/frame.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import { readCapture } from '../capture/reader.js';
import { AnalysisStages } from '../engine/analysis-stages.js';
import type { DisplayFilter } from '../report/model.js';
import { parseStreamFilter, type StreamSet } from '../report/stream-set.js';
import type { AnalysisSettings } from './analysis-settings.js';
import { FrameMerger } from './frame-merge.js';
import { VERSION } from './version.js';

export interface ExtractOptions {
  settings: AnalysisSettings;
  /** The report's display filters: which streams of which capture to copy. */
  filters: readonly DisplayFilter[];
  /** The inputs as analysed (captures' `file`), in order. */
  files: readonly string[];
  /** With --join: the joined name the filters use, and all `files` are read merged. */
  joinedName?: string;
  /** Where to read an input that was a pipe the first time (stdin spooled to a file). */
  replacements?: ReadonlyMap<string, string>;
  signal?: AbortSignal;
}

export interface ExtractResult {
  packets: number;
  connections: number;
  /** Inputs that could not be read again (changed or gone since), one line each. */
  errors: string[];
}

/** Writes the capture to `output` (a temporary file renamed at the end: never half-written). */
export async function extractFrames(output: string, options: ExtractOptions): Promise<ExtractResult> {
  const sets = new Map<string, StreamSet>();
  let connections = 0;
  for (const f of options.filters) {
    const set = parseStreamFilter(f.filter);
    if (set === null) continue;
    sets.set(f.file, set);
    connections += set.size;
  }
  const temporary = join(dirname(output), `.${basename(output)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'w');
  const errors: string[] = [];
  let writer: PcapngWriter;
  try {
    const comment = `closetrace ${VERSION} --extract: the frames of ${connections} listed connection${connections === 1 ? '' : 's'}`;
    writer = new PcapngWriter(fd, `closetrace ${VERSION}`, comment);
    const path = (file: string): string => options.replacements?.get(file) ?? file;
    if (options.joinedName !== undefined) {
      const set = sets.get(options.joinedName);
      if (set !== undefined) await copyJoined(writer, options, set, options.files.map(path), errors);
    } else {
      for (const file of options.files) {
        const set = sets.get(file);
        if (set === undefined || options.signal?.aborted) continue;
        sets.delete(file);
        await copyFile(writer, options, file, path(file), set, errors);
      }
    }
    writer.flush();
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, output);
  return { packets: writer.packets, connections, errors };
}

async function copyFile(writer: PcapngWriter, options: ExtractOptions, file: string, path: string, set: StreamSet, errors: string[]): Promise<void> {
  const stages = new AnalysisStages(file, options.settings, () => false);
  let first = true;
  const read = await readCapture(
    path,
    (frame: Frame) => {
      stages.frame(frame);
      const stream = stages.lastStream;
      if (stream < 0 || !set.has(stream)) return;
      writer.frame(frame, first ? sourceComment(file, frame.number) : null);
      first = false;
    },
    { signal: options.signal },
  );
  if (read.error !== null && path !== file) errors.push(read.error.replace(path, file));
  else if (read.error !== null) errors.push(read.error);
}

async function copyJoined(writer: PcapngWriter, options: ExtractOptions, set: StreamSet, paths: readonly string[], errors: string[]): Promise<void> {
  const stages = new AnalysisStages(options.joinedName ?? '', options.settings, () => false);
  const seen = new Set<number>();
  const merger = new FrameMerger(paths, { signal: options.signal });
  await merger.run((frame, input, fileFrame) => {
    stages.frame(frame);
    const stream = stages.lastStream;
    if (stream < 0 || !set.has(stream)) return;
    writer.frame(frame, seen.has(input) ? null : sourceComment(options.files[input], fileFrame));
    seen.add(input);
  });
  for (const facts of merger.facts()) if (facts?.error !== null && facts?.error !== undefined) errors.push(facts.error);
}

/** On the first frame copied from each capture: where the frames come from. */
function sourceComment(file: string, frame: number): string {
  return `closetrace: from ${file}, frame ${frame} on`;
}
