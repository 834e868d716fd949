/**
 * Writes degraded variants of every capture in captures/ (see tools/degrade) and the verdict each
 * connection should get in them, for people to open in Wireshark next to the clean capture.
 *
 *   npm run build && node dist/scripts/degrade-captures.js --out /tmp/degraded [--captures captures] [--seed N] [--check]
 *
 * Output: OUT/<variant>/<capture file> (gzip copies in captures/ are skipped: same frames as their
 * originals) and OUT/expected.json. With --check, closetrace analyses every variant and a table of
 * passing/failing connections per variant and capture is printed, with the failures grouped by
 * scenario and got-vs-expected; the exit code is then 1 when any connection fails.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  analyzeBytes,
  buildVariant,
  DEFAULT_SEED,
  expectationsFor,
  judgeRecords,
  loadManifest,
  readCaptureModel,
  sourceCaptures,
  VARIANT_DESCRIPTIONS,
  variantBytes,
  VARIANTS,
  type ConnectionOutcome,
} from '../tools/degrade/index.js';

const usage = 'usage: degrade-captures --out DIR [--captures DIR] [--seed N] [--check]';

interface Cell {
  variant: string;
  file: string;
  pass: number;
  fail: number;
  extra: string[];
  failures: ConnectionOutcome[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      captures: { type: 'string', default: 'captures' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || values.out === undefined) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) {
    console.error(`degrade-captures: --seed must be an integer, got ${values.seed}`);
    return 2;
  }
  const source = resolve(values.captures);
  const out = resolve(values.out);
  const manifest = loadManifest(source);
  const written: unknown[] = [];
  const cells: Cell[] = [];
  for (const capture of sourceCaptures(manifest)) {
    const model = await readCaptureModel(join(source, capture.file));
    for (const name of VARIANTS) {
      const variant = buildVariant(model, capture.connections, name, { seed });
      const bytes = variantBytes(model, variant);
      const file = join(name, capture.file);
      mkdirSync(join(out, name), { recursive: true });
      writeFileSync(join(out, file), bytes);
      const expectations = expectationsFor(capture, name);
      written.push({
        file,
        source: capture.file,
        variant: name,
        format: model.format,
        linkTypes: capture.linkTypes,
        timestampPrecision: capture.timestampPrecision,
        frames: variant.frames.length,
        droppedFrames: variant.dropped,
        ...(variant.snaplen === undefined ? {} : { snaplen: variant.snaplen }),
        connections: expectations.map(({ connection: c, scenario, expected }) => ({
          client: c.client,
          server: c.server,
          scenario,
          ...(expected.present
            ? { verdict: expected.verdict, endpoint: expected.endpoint, ...(expected.inferredFin === null ? {} : { inferredFin: expected.inferredFin }) }
            : { verdict: 'absent' }),
          rule: expected.rule,
        })),
      });
      if (values.check) {
        const { records, error } = await analyzeBytes(bytes);
        const { outcomes, extra } = judgeRecords(expectations, records);
        const failures = outcomes.filter((o) => !o.pass);
        const extraText = extra.map((r) => `extra record ${r.client} -> ${r.server}: ${r.verdict}`);
        if (error !== null) extraText.push(`read error: ${error}`);
        cells.push({ variant: name, file: capture.file, pass: outcomes.length - failures.length, fail: failures.length, extra: extraText, failures });
      }
    }
  }
  const expected = {
    generator: 'scripts/degrade-captures.ts',
    seed,
    variants: Object.fromEntries(VARIANTS.map((v) => [v, VARIANT_DESCRIPTIONS[v]])),
    captures: written,
  };
  writeFileSync(join(out, 'expected.json'), JSON.stringify(expected, null, 1) + '\n');
  console.log(`wrote ${written.length} captures and expected.json to ${out}`);
  if (!values.check) return 0;
  printTable(cells);
  return cells.some((c) => c.fail > 0 || c.extra.length > 0) ? 1 : 0;
}

function printTable(cells: Cell[]): void {
  const files = [...new Set(cells.map((c) => c.file))];
  console.log(`\n| variant | ${files.join(' | ')} |`);
  console.log(`| --- |${files.map(() => ' --- |').join('')}`);
  for (const v of VARIANTS) {
    const row = files.map((f) => {
      const c = cells.find((x) => x.variant === v && x.file === f);
      return c === undefined ? '' : `${c.pass}/${c.pass + c.fail}${c.extra.length ? ` +${c.extra.length} extra` : ''}`;
    });
    console.log(`| ${v} | ${row.join(' | ')} |`);
  }
  for (const v of VARIANTS) {
    // one line per scenario and got-vs-expected pattern, with the captures where it happens
    const groups = new Map<string, string[]>();
    for (const c of cells.filter((x) => x.variant === v)) {
      for (const f of c.failures) {
        const key = `${f.scenario}: expected ${f.expected}; got ${f.got}`;
        groups.set(key, [...(groups.get(key) ?? []), c.file]);
      }
      for (const e of c.extra) groups.set(e, [...(groups.get(e) ?? []), c.file]);
    }
    if (groups.size === 0) continue;
    console.log(`\n${v}: ${[...groups.values()].reduce((n, g) => n + g.length, 0)} failing`);
    for (const [key, where] of groups) console.log(`  ${key}  [${where.length === files.length ? 'all captures' : where.join(', ')}]`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
