/**
 * Floods of connections against --max-connections, run through the built CLI in a child process whose
 * peak RSS is measured (test/support/built-cli.ts): a SYN flood and a flood of connections that open and
 * never close. Memory must follow the cap, not the flood: the connections over the cap are judged early
 * (endReason "evicted"), and the capture's warning says how many. The default cap
 * (DEFAULT_MAX_CONNECTIONS) was chosen from these measurements: about 1.0-1.25 KB per open connection.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CONNECTIONS } from '../../src/flow/flow-assembler.js';
import { FileSink, MemorySink, writeOpenConnections, writeSynFlood, type ByteSink, type ConnectionFloodOptions } from '../../tools/craft/index.js';
import { cliUnusable, runCli, type CliRun } from '../support/built-cli.js';
import { tempDir } from '../support/temp-dir.js';

const tmp = tempDir('closetrace-floods-');
afterAll(() => tmp.cleanup());

const unusable = cliUnusable();
if (unusable !== null) console.warn(`skipping the flood tests: ${unusable}`);

const FLOOD = 100_000;
const SMALL_CAP = 10_000;
const LARGE_CAP = 80_000;
/** Measured 0.7-1.1 KB per open connection at these sizes (1.0-1.25 KB at a million); some more allowed. */
const KB_PER_CONNECTION = 1.5;
/**
 * Peak RSS besides the open connections: Node, buffers, and what the report keeps of every connection
 * (the SYN flood's 100,000 unanswered SYNs are findings). Measured 100-155 MB with a cap of 10,000.
 */
const BASE_MIB = 165;
/** V8 heap limit for the capped children: a flood that grew the heap past the cap would die of it. */
const HEAP_MIB = 256;

type Writer = (sink: ByteSink, options: ConnectionFloodOptions) => number;

function writeFlood(name: string, write: Writer, connections: number): string {
  const file = tmp.path(name);
  const sink = FileSink.create(file);
  write(sink, { connections });
  sink.close();
  return file;
}

interface CaptureRow {
  connections: number;
  warnings: string[];
  error: string | null;
}

/** The capture row of the report the run wrote to `report`. */
function captureOf(run: CliRun, report: string): CaptureRow {
  // Warnings are printed whole on stderr too; nothing else may be there.
  expect(run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('closetrace: warning: '))).toEqual([]);
  expect(run.status).toBe(0);
  return (JSON.parse(readFileSync(report, 'utf8')) as { captures: CaptureRow[] }).captures[0];
}

function evictionWarning(evicted: number, cap: number): string {
  return `${evicted} connections were judged early because more than ${cap} were open at once (raise --max-connections)`;
}

/** Runs the CLI on `file` with the JSON report written to a file (as a large report would be). */
async function analyseCapped(file: string, cap: number | null, heapMiB = HEAP_MIB): Promise<{ run: CliRun; capture: CaptureRow }> {
  const report = `${file}.${cap ?? 'default'}.json`;
  const args = ['--format', 'json', '-o', report, ...(cap === null ? [] : ['--max-connections', String(cap)]), file];
  const run = await runCli(args, { maxOldSpaceMiB: heapMiB });
  return { run, capture: captureOf(run, report) };
}

describe.skipIf(unusable !== null)('connection floods: memory follows --max-connections', () => {
  const files: Record<string, string> = {};
  beforeAll(() => {
    files.syn = writeFlood('syn-flood.pcap', writeSynFlood, FLOOD);
    files.open = writeFlood('never-closed.pcap', writeOpenConnections, FLOOD);
  });

  for (const kind of ['syn', 'open'] as const) {
    it(`${kind === 'syn' ? 'a SYN flood' : 'connections that never close'}: ${FLOOD} connections, caps of ${SMALL_CAP} and ${LARGE_CAP}`, async () => {
      const small = await analyseCapped(files[kind], SMALL_CAP);
      const large = await analyseCapped(files[kind], LARGE_CAP);
      for (const [{ capture }, cap] of [
        [small, SMALL_CAP],
        [large, LARGE_CAP],
      ] as const) {
        expect(capture.connections).toBe(FLOOD);
        // The socket table, full too, says so in a warning of its own.
        expect(capture.warnings[0]).toBe(evictionWarning(FLOOD - cap, cap));
        expect(capture.warnings.slice(1).every((w) => w.startsWith('the socket table was full'))).toBe(true);
      }
      const [a, b] = [small.run.maxRssMiB, large.run.maxRssMiB];
      const figures = `peak RSS ${a.toFixed(0)} MiB at ${SMALL_CAP}, ${b.toFixed(0)} MiB at ${LARGE_CAP}: ${(((b - a) * 1024) / (LARGE_CAP - SMALL_CAP)).toFixed(2)} KB per open connection`;
      // Each peak within what the cap allows: without the cap, the small one would hold all 100,000.
      expect(a, figures).toBeLessThan(BASE_MIB + (SMALL_CAP * KB_PER_CONNECTION) / 1024);
      expect(b, figures).toBeLessThan(BASE_MIB + (LARGE_CAP * KB_PER_CONNECTION) / 1024);
    });
  }

  it(`the default cap (${DEFAULT_MAX_CONNECTIONS}) keeps a SYN flood that exceeds it under 500 MB`, async () => {
    const flood = DEFAULT_MAX_CONNECTIONS + 10_000;
    const file = writeFlood('syn-over-default.pcap', writeSynFlood, flood);
    const { run, capture } = await analyseCapped(file, null, 512);
    expect(capture.warnings[0]).toBe(evictionWarning(10_000, DEFAULT_MAX_CONNECTIONS));
    expect(capture.warnings.slice(1).every((w) => w.startsWith('the socket table was full'))).toBe(true);
    expect(run.maxRssMiB, `peak RSS ${run.maxRssMiB.toFixed(0)} MiB`).toBeLessThan(500);
  });

  it('the connections judged early say so in their records (endReason "evicted")', async () => {
    const sink = new MemorySink();
    writeOpenConnections(sink, { connections: 300 });
    const file = tmp.write('three-hundred.pcap', sink.bytes());
    const run = await runCli(['--format', 'json', '--all', '--max-connections', '100', file]);
    const report = JSON.parse(run.stdout) as { captures: CaptureRow[]; connections: Array<{ stream: number; endReason: string; verdict: string; explanation: string }> };
    expect(report.captures[0].warnings[0]).toBe(evictionWarning(200, 100));
    expect(report.captures[0].warnings.slice(1).every((w) => w.startsWith('the socket table was full'))).toBe(true);
    expect(report.connections).toHaveLength(300);
    const evicted = report.connections.filter((c) => c.endReason === 'evicted');
    expect(evicted).toHaveLength(200);
    expect(report.connections.filter((c) => c.endReason === 'capture-end')).toHaveLength(100);
    // The victim is the idlest of a sample (flow-assembler.ts): the earliest connections go first.
    expect(evicted.filter((c) => c.stream < 100)).toHaveLength(100);
    // An open connection judged early does not claim it lasted to the end of the capture.
    for (const c of evicted.filter((x) => x.verdict === 'open')) expect(c.explanation).toMatch(/^No FIN or RST was seen before it was judged early/);
    expect(evicted.filter((x) => x.verdict === 'open').length).toBeGreaterThan(0);
  });
});
