/**
 * The command line on corrupt input: exit code 2, exactly one stderr line per bad file naming it, and
 * never a stack trace. Runs the built CLI (dist/src/cli/bin.js), building it first when dist is missing;
 * skipped when the build is broken (other stages mid-edit), since there is then nothing to run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPcap, buildPcapng, conversation, ether, gzip, LINKTYPE } from '../../tools/craft/index.js';
import { readCapture } from '../../src/capture/reader.js';
import { fuzzInputs } from '../../tools/fuzz/corpus.js';
import { MUTATION_KINDS, mutate } from '../../tools/fuzz/mutate.js';
import { Prng } from '../../tools/fuzz/prng.js';
import { tempDir } from '../support/temp-dir.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../dist/src/cli/bin.js', import.meta.url));

function cliUsable(): { ok: boolean; why: string } {
  if (!existsSync(bin)) {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore', timeout: 180_000 });
    if (!existsSync(bin)) return { ok: false, why: `build failed (status ${build.status})` };
  }
  const probe = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0 ? { ok: true, why: '' } : { ok: false, why: `dist/src/cli/bin.js does not run: ${probe.stderr.split('\n')[0]}` };
}

const usable = cliUsable();
if (!usable.ok) console.warn(`skipping the CLI smoke tests: ${usable.why}`);

const tmp = tempDir('closetrace-cli-');
afterAll(() => tmp.cleanup());

function capture(): Uint8Array {
  const c = conversation('10.0.0.1:40000', '10.0.0.2:80', { link: (p) => ether(p) });
  c.syn();
  c.synAck();
  c.ack();
  c.data('a', 100);
  c.data('b', 1000);
  c.fin('a');
  c.fin('b');
  c.ack('a');
  return buildPcap(c.packets);
}

function run(files: string[]): { status: number | null; stdout: string; stderrLines: string[]; stderr: string } {
  const r = spawnSync(process.execPath, [bin, '--format', 'json', ...files], { encoding: 'utf8', timeout: 60_000, cwd: tmp.dir });
  // Warnings are printed whole on stderr as well; the one-line-per-bad-file rule is about error lines.
  const stderrLines = r.stderr.split('\n').filter((line) => line.length > 0 && !line.startsWith('closetrace: warning: '));
  return { status: r.status, stdout: r.stdout, stderrLines, stderr: r.stderr };
}

describe.skipIf(!usable.ok)('CLI on corrupt captures', () => {
  it('a good capture: exit 0, nothing on stderr, JSON on stdout', () => {
    const r = run([tmp.write('good.pcap', capture())]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });

  it('a truncated capture: exit 2, one stderr line naming the file and the byte, no stack trace', () => {
    const bytes = capture();
    const file = tmp.write('truncated.pcap', bytes.subarray(0, bytes.length - 7));
    const r = run([file]);
    expect(r.status).toBe(2);
    expect(r.stderrLines, r.stderr).toHaveLength(1);
    expect(r.stderrLines[0]).toContain(file);
    expect(r.stderrLines[0]).toMatch(/at byte \d+/);
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });

  it('several bad inputs and a good one: exit 2, exactly one line per bad input, no stack traces', () => {
    const bytes = capture();
    const bad = [
      tmp.write('cut.pcap', bytes.subarray(0, 100)),
      tmp.write('text.pcap', 'not a capture at all\n'),
      tmp.write('empty.pcapng', new Uint8Array(0)),
      tmp.write('cut.pcap.gz', gzip(bytes).subarray(0, 200)),
      tmp.write(
        'bad-block.pcapng',
        (() => {
          const ng = buildPcapng((w) => {
            w.addInterface({ linkType: LINKTYPE.ETHERNET });
            w.enhancedPacket({ ts: 1, data: ether(new Uint8Array(40)) });
          });
          new DataView(ng.buffer).setUint32(ng.length - 4, 12345, true);
          return ng;
        })(),
      ),
      tmp.path('missing.pcap'),
    ];
    const good = tmp.write('fine.pcap', bytes);
    const r = run([bad[0], good, ...bad.slice(1)]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
    expect(r.stderrLines, r.stderr).toHaveLength(bad.length);
    for (const file of bad) expect(r.stderrLines.filter((line) => line.includes(`${file}:`)), `${file}\n${r.stderr}`).toHaveLength(1);
    expect(r.stderr).not.toContain(good);
  });

  it('seeded mutations of pcap, pcapng, gzip and zstd in one run: one line for each file the reader rejects, exit 2, no stack traces', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 7);
    const rng = new Prng(seed);
    const inputs = fuzzInputs(fileURLToPath(new URL('../../captures/', import.meta.url)));
    const files: string[] = [];
    const kinds = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const input = inputs[i % inputs.length];
      const m = mutate(rng, input);
      kinds.add(m.kind);
      files.push(tmp.write(`mutant-${i}-${input.name}`, m.bytes));
    }
    expect([...kinds].sort(), `FUZZ_SEED=${seed}`).toEqual([...MUTATION_KINDS].sort());
    expect(new Set(inputs.map((x) => x.layout.format))).toEqual(new Set(['pcap', 'pcapng']));
    const rejected: string[] = [];
    for (const file of files) if ((await readCapture(file, () => undefined)).error !== null) rejected.push(file);
    expect(rejected.length, `FUZZ_SEED=${seed}`).toBeGreaterThan(5);
    const r = run(files);
    const where = `FUZZ_SEED=${seed}\n${r.stderr}`;
    expect(r.status, where).toBe(2);
    expect(r.stderr, where).not.toMatch(/^\s{4}at /m);
    expect(r.stderrLines, where).toHaveLength(rejected.length);
    for (const file of rejected) expect(r.stderrLines.filter((line) => line.includes(`${file}:`)), where).toHaveLength(1);
  });
});
