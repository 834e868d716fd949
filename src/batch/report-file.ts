import { readFile } from 'node:fs/promises';
import { describeSystemError } from '../capture/errors.js';
import type { Report } from '../report/model.js';
import { BatchOptionError } from './errors.js';

/**
 * Reads a closetrace JSON report (`--format json` output, e.g. of a shard run) for mergeReports(). Checks
 * the basic shape, not every field: enough that a wrong file (a capture, ndjson, another tool's JSON, a
 * truncated write) is named in one line instead of failing later with a stack trace.
 */
export async function readReportFile(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BatchOptionError(`${path}: cannot read: ${describeSystemError(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const lines = text.split('\n', 3).filter((l) => l.trim() !== '').length;
    const hint = lines > 1 && text.trimStart().startsWith('{"type"') ? ' (ndjson output? merge needs --format json reports)' : '';
    throw new BatchOptionError(`${path}: not a JSON report: ${(error as Error).message}${hint}`);
  }
  const problem = shapeProblem(value);
  if (problem !== null) throw new BatchOptionError(`${path}: not a closetrace JSON report: ${problem}`);
  return value as Report;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with the top level of a would-be report, or null. */
export function shapeProblem(value: unknown): string | null {
  if (!isObject(value)) return 'the top level is not an object';
  if (value.schema !== 1) return `schema is ${JSON.stringify(value.schema) ?? 'missing'}, expected 1`;
  const generator = value.generator;
  if (!isObject(generator) || generator.name !== 'closetrace' || typeof generator.version !== 'string') return 'generator is not closetrace';
  for (const key of ['captures', 'services', 'connections'] as const) {
    if (!Array.isArray(value[key])) return `"${key}" is missing or not a list`;
  }
  const summary = value.summary;
  if (!isObject(summary)) return '"summary" is missing';
  for (const key of ['captures', 'connections', 'findings'] as const) {
    if (typeof summary[key] !== 'number') return `summary.${key} is missing or not a number`;
  }
  if (!isObject(summary.verdicts)) return 'summary.verdicts is missing';
  for (const s of value.services as unknown[]) {
    if (!isObject(s) || typeof s.server !== 'string' || typeof s.connections !== 'number' || !isObject(s.verdicts) || typeof s.firstSeen !== 'string' || typeof s.lastSeen !== 'string') {
      return 'a service entry lacks server, connections, verdicts, firstSeen or lastSeen';
    }
    if (s.closeWait !== null && (!isObject(s.closeWait) || typeof s.closeWait.count !== 'number')) return `service ${s.server} has a malformed closeWait`;
  }
  for (const c of value.connections as unknown[]) {
    if (!isObject(c) || typeof c.file !== 'string' || typeof c.stream !== 'number' || typeof c.verdict !== 'string' || typeof c.server !== 'string') {
      return 'a connection entry lacks file, stream, verdict or server';
    }
  }
  for (const c of value.captures as unknown[]) {
    if (!isObject(c) || typeof c.file !== 'string') return 'a capture entry lacks its file';
  }
  return null;
}
