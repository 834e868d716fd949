/**
 * Where the report goes and how it is laid out: stdout or a file (`-o`, written atomically; `-o -` is
 * stdout), the format (--format, else the file's extension), and the table's width: the terminal's
 * when stdout is one, else COLUMNS when set, else no wrapping at all -- a line in a pipe or a file must
 * stay whole for grep and cut.
 */
import type { Listing } from '../report/listing.js';
import type { Report } from '../report/model.js';
import type { Format } from '../render/formats.js';
import { renderReport, type RenderOptions } from '../render/render.js';
import { batched, writeFileAtomic } from './atomic-write.js';
import { colourWanted } from './terminal.js';

export interface Destination {
  /** The file to write, or null for stdout. */
  file: string | null;
}

export function destinationOf(output: string | undefined): Destination {
  return { file: output === undefined || output === '-' ? null : output };
}

/** Columns the table may take (Infinity: never wrap). */
export function tableWidth(destination: Destination, stdout: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  const terminal = destination.file === null && stdout.isTTY === true;
  if (terminal && stdout.columns > 0) return stdout.columns;
  const columns = env.COLUMNS;
  if (columns !== undefined && /^\d+$/.test(columns.trim()) && Number(columns) >= 20) return Number(columns);
  // A terminal that does not say how wide it is gets the common width; a pipe or a file is never wrapped.
  return terminal ? 100 : Infinity;
}

export interface PrintSettings {
  format: Format;
  limit: number;
  all: boolean;
  markdownBudget: number;
}

/** Renders the report to its destination; false when the file could not be written (said on stderr). */
export async function printReport(report: Report, settings: PrintSettings, destination: Destination, listing?: Listing): Promise<boolean> {
  const render: RenderOptions = {
    color: destination.file === null && colourWanted(process.stdout),
    width: tableWidth(destination),
    limit: settings.limit,
    all: settings.all,
    markdownBudget: settings.markdownBudget,
  };
  return printTexts([renderReport(settings.format, report, render, listing)], destination);
}

/** Writes the report's text, given in pieces (text or UTF-8 bytes), to stdout or atomically to the file. */
export async function printTexts(texts: Iterable<string | Uint8Array>, destination: Destination): Promise<boolean> {
  if (destination.file === null) {
    for (const chunk of batched(texts)) await writeStdout(chunk);
    return true;
  }
  try {
    await writeFileAtomic(destination.file, texts);
    return true;
  } catch (error) {
    process.stderr.write(`closetrace: cannot write ${destination.file}: ${(error as Error).message}\n`);
    return false;
  }
}

export function writeStdout(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}
