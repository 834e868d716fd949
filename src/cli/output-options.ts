import { chooseFormat, parseNonNegativeInteger, parsePositiveInteger, parseSeconds, parseVerdicts } from './cli-options.js';
import { parseFailOn, type FailOn } from './fail-on.js';
import type { PrintSettings } from './report-output.js';

/** The markdown report's default size: under the 65,536 characters an issue tracker comment takes. */
export const DEFAULT_MARKDOWN_BUDGET = 60_000;

/** Options shared by the analysis and by `merge`: what to list, how to print it, when to fail. */
export interface OutputOptions {
  format?: string;
  output?: string;
  all?: boolean;
  verdict?: string;
  minStuck?: string;
  failOn?: string;
  limit: string;
  markdownBudget: string;
}

export interface ParsedOutput extends PrintSettings {
  listed: ReturnType<typeof parseVerdicts> | undefined;
  failOn: FailOn | null;
  minStuck: number;
}

export function parseOutput(opts: OutputOptions): ParsedOutput {
  return {
    format: chooseFormat(opts.format, opts.output),
    listed: opts.verdict !== undefined ? parseVerdicts(opts.verdict, '--verdict') : undefined,
    failOn: opts.failOn !== undefined ? parseFailOn(opts.failOn) : null,
    minStuck: opts.minStuck !== undefined ? parseSeconds(opts.minStuck, '--min-stuck') : 0,
    limit: parsePositiveInteger(opts.limit, '--limit'),
    all: opts.all === true,
    markdownBudget: parseNonNegativeInteger(opts.markdownBudget, '--markdown-budget'),
  };
}

