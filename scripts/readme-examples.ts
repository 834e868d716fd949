/**
 * Keeps the README's example output real: runs the built CLI on a capture shipped in captures/ and puts
 * its table output and a markdown excerpt (summary and one close-wait section with its ladder) between
 * the README's marker comments; likewise the two runs on captures/sockets/ of "From ss to the capture"
 * (a client short of ephemeral ports, a server leaking CLOSE_WAIT sockets).
 *
 *   node dist/scripts/readme-examples.js           print the two blocks
 *   node dist/scripts/readme-examples.js --write   rewrite README.md between the markers
 *   node dist/scripts/readme-examples.js --check   exit 1 if README.md is not what --write would make
 *
 * Deterministic: relative paths only, no dates but the captures' own; it changes only when the
 * captures, the analysis or the renderers change.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ManifestCapture {
  file: string;
  compressed: boolean;
  connections: { verdict: string }[];
}

/** Rows per verdict in the table example: enough to show the layout, short enough for a README. */
const TABLE_LIMIT = '2';

function repoRoot(): string {
  // Runs from dist/scripts/ once built; walk up to the package.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'captures'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the closetrace repository root');
    dir = parent;
  }
  return dir;
}

/** The manifest capture that shows the most verdict kinds (first of equals): one file keeps the example short. */
function pickCapture(root: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'captures', 'manifest.json'), 'utf8')) as { captures: ManifestCapture[] };
  let best: ManifestCapture | null = null;
  const kinds = (c: ManifestCapture): number => new Set(c.connections.map((x) => x.verdict)).size;
  for (const c of manifest.captures) if (!c.compressed && (best === null || kinds(c) > kinds(best))) best = c;
  if (best === null) throw new Error('captures/manifest.json lists no uncompressed capture');
  return `captures/${best.file}`;
}

/** The CLI's table output; `columns` wraps it as a terminal that wide would (else lines are never wrapped). */
function closetrace(root: string, args: string[], columns?: number): string {
  const bin = join(root, 'dist', 'src', 'cli', 'bin.js');
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', COLUMNS: columns === undefined ? undefined : String(columns) } });
  if (run.status !== 0) throw new Error(`closetrace ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** The summary section and the first close-wait section, cut after its first example. */
function markdownExcerpt(markdown: string): string {
  const sections = markdown.split(/\n(?=## )/);
  const summary = sections.find((s) => s.startsWith('## Summary'));
  const closeWait = sections.find((s) => s.startsWith('## CLOSE_WAIT'));
  if (summary === undefined || closeWait === undefined) throw new Error('the markdown report has no summary or no close-wait section');
  const firstExample = closeWait.split(/\n(?=### close-wait example 2 )/)[0];
  return `${summary.trimEnd()}\n\n${firstExample.trimEnd()}\n`;
}

function fence(body: string, info: string): string {
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const marks = '`'.repeat(longest + 1);
  return `${marks}${info}\n${body.trimEnd()}\n${marks}`;
}

/** The table output from the line that starts with `from` (the capture facts and counts are left out). */
function tableFrom(text: string, from: RegExp): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => from.test(l));
  if (start < 0) throw new Error(`the table output has no line matching ${from}`);
  return lines.slice(start).join('\n');
}

type Block = 'table' | 'markdown' | 'sockets-pressure' | 'sockets-closewait';

function examples(root: string): Record<Block, string> {
  const capture = pickCapture(root);
  const tableArgs = ['--limit', TABLE_LIMIT, capture];
  const markdownArgs = ['--format', 'markdown', capture];
  // The client namespace of that run had 200 ephemeral ports (captures/README.md).
  const pressureArgs = ['--port-range', '42000-42199', 'captures/sockets/tw-pressure.pcap'];
  const leakArgs = ['--limit', TABLE_LIMIT, 'captures/sockets/closewait-leak.pcap'];
  return {
    table: fence(`$ closetrace ${tableArgs.join(' ')}\n${closetrace(root, tableArgs)}`, 'text'),
    markdown: `Excerpt of \`closetrace ${markdownArgs.join(' ')}\`:\n\n${fence(markdownExcerpt(closetrace(root, markdownArgs)), 'markdown')}`,
    // Wrapped as in a 100-column terminal: the advice is prose.
    'sockets-pressure': fence(`$ closetrace ${pressureArgs.join(' ')}\n...\n${tableFrom(closetrace(root, pressureArgs, 100), /^time-wait-pressure: /)}`, 'text'),
    'sockets-closewait': fence(`$ closetrace ${leakArgs.join(' ')}\n...\n${tableFrom(closetrace(root, leakArgs, 100), /^close-wait: /)}`, 'text'),
  };
}

/** README with each marked block replaced; throws if a marker pair is missing. */
export function rewriteReadme(readme: string, blocks: Record<string, string>): string {
  let out = readme;
  for (const [name, body] of Object.entries(blocks)) {
    const open = `<!-- example:${name} -->`;
    const close = `<!-- /example:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${open} ... ${close}`);
    out = `${out.slice(0, start + open.length)}\n${body}\n${out.slice(end)}`;
  }
  return out;
}

function main(argv: string[]): number {
  const root = repoRoot();
  const blocks = examples(root);
  const mode = argv.find((a) => a === '--write' || a === '--check');
  if (mode === undefined) {
    process.stdout.write(`${Object.values(blocks).join("\n\n")}\n`);
    return 0;
  }
  const path = join(root, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const wanted = rewriteReadme(readme, blocks);
  if (mode === '--write') {
    if (wanted !== readme) writeFileSync(path, wanted);
    return 0;
  }
  if (wanted === readme) return 0;
  process.stderr.write('README.md examples are out of date: run `npm run build && node dist/scripts/readme-examples.js --write`\n');
  return 1;
}

// Run only as a script, so tests can import rewriteReadme.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`readme-examples: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
