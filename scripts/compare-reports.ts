/**
 * Compares the verdicts of two JSON reports of the same inputs (say, before and after a change to the
 * engine): connections matched by file and stream, and for each the fields that make its verdict. Prints
 * every difference and the summary counts of both, and exits 1 when any verdict differs.
 *
 *   closetrace --all --format json -o before.json captures/      (with the old build)
 *   closetrace --all --format json -o after.json captures/       (with the new one)
 *   node dist/scripts/compare-reports.js before.json after.json [--fields verdict,endpoint,cause]
 *
 * Wording (explanation), and fields a newer report adds, are not compared unless asked for.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const DEFAULT_FIELDS = ['verdict', 'endpoint', 'cause', 'confidence', 'activity', 'fromState', 'halfClose', 'stuckSeconds', 'delaySeconds', 'client', 'server', 'firstFrame', 'lastFrame', 'packets'];

interface Connection {
  file: string;
  stream: number;
  [field: string]: unknown;
}

interface ReportLike {
  connections: Connection[];
  summary: { verdicts: Record<string, number> };
}

export interface Comparison {
  compared: number;
  onlyBefore: string[];
  onlyAfter: string[];
  differences: string[];
}

export function compareReports(before: ReportLike, after: ReportLike, fields: readonly string[] = DEFAULT_FIELDS): Comparison {
  const key = (c: Connection): string => `${c.file}#${c.stream}`;
  const a = new Map(before.connections.map((c) => [key(c), c]));
  const b = new Map(after.connections.map((c) => [key(c), c]));
  const out: Comparison = { compared: 0, onlyBefore: [], onlyAfter: [], differences: [] };
  for (const [k, x] of a) {
    const y = b.get(k);
    if (y === undefined) {
      out.onlyBefore.push(k);
      continue;
    }
    out.compared++;
    for (const f of fields) {
      if (JSON.stringify(x[f]) !== JSON.stringify(y[f])) out.differences.push(`${k}: ${f} ${JSON.stringify(x[f])} -> ${JSON.stringify(y[f])}`);
    }
  }
  for (const k of b.keys()) if (!a.has(k)) out.onlyAfter.push(k);
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const fieldsAt = args.indexOf('--fields');
  const fields = fieldsAt >= 0 ? args[fieldsAt + 1].split(',') : DEFAULT_FIELDS;
  const files = args.filter((x, i) => !x.startsWith('--') && (fieldsAt < 0 || i !== fieldsAt + 1));
  if (files.length !== 2) {
    console.error('usage: compare-reports BEFORE.json AFTER.json [--fields a,b,c]');
    process.exit(2);
  }
  const [before, after] = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ReportLike);
  const c = compareReports(before, after, fields);
  for (const d of c.differences) console.log(d);
  for (const k of c.onlyBefore) console.log(`${k}: only in ${files[0]}`);
  for (const k of c.onlyAfter) console.log(`${k}: only in ${files[1]}`);
  const verdicts = new Set([...Object.keys(before.summary.verdicts), ...Object.keys(after.summary.verdicts)]);
  const counts = [...verdicts].filter((v) => (before.summary.verdicts[v] ?? 0) !== (after.summary.verdicts[v] ?? 0)).map((v) => `${v} ${before.summary.verdicts[v] ?? 0} -> ${after.summary.verdicts[v] ?? 0}`);
  console.log(`${c.compared} connections compared on ${fields.join(', ')}: ${c.differences.length} differences; ${c.onlyBefore.length} only before, ${c.onlyAfter.length} only after`);
  console.log(counts.length === 0 ? 'verdict counts: identical' : `verdict counts: ${counts.join(', ')}`);
  process.exit(c.differences.length + c.onlyBefore.length + c.onlyAfter.length === 0 ? 0 : 1);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
