import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/render/format-markdown.js';
import { mdCode, mdText } from '../../src/render/markdown-escape.js';
import { capture, corpusReport, everyVerdict, HOSTILE_FILE, ladderRecords, OPTIONS, record, report } from './fixtures.js';

/** Cell delimiters of a GFM table row: pipes not escaped by a backslash. */
function delimiters(row: string): number {
  let n = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\') i++;
    else if (row[i] === '|') n++;
  }
  return n;
}

/** Every table (consecutive lines starting with `|`) has the same number of cells in each row. */
function expectWellFormedTables(markdown: string): void {
  const tables: string[][] = [];
  let current: string[] | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) current = null;
    else if (current === null) tables.push((current = [line]));
    else current.push(line);
  }
  expect(tables.length).toBeGreaterThan(0);
  for (const rows of tables) {
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(delimiters(row), row).toBe(delimiters(rows[0]));
  }
}

/**
 * What a CommonMark renderer would parse as markup: fenced blocks, code spans and backslash-escaped
 * characters removed (the same rules a renderer follows: a run of n backticks closes at the next run of
 * exactly n; a backslash escapes ASCII punctuation outside code).
 */
function outsideCode(markdown: string): string {
  const text = markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && /[!-/:-@[-`{-~]/.test(text[i + 1] ?? '')) {
      i++;
      continue;
    }
    if (text[i] === '`') {
      const run = /^`+/.exec(text.slice(i))?.[0] ?? '`';
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
      close.lastIndex = i + run.length;
      const end = close.exec(text);
      if (end !== null) {
        i = end.index + run.length - 1;
        continue;
      }
      i += run.length - 1;
      continue;
    }
    out += text[i];
  }
  return out;
}

describe('renderMarkdown', () => {
  it('renders the corpus sample with capture facts, summary, services and a section per verdict', () => {
    const md = renderMarkdown(corpusReport(), OPTIONS);
    expect(md).toMatch(/^# closetrace report$/m);
    expect(md).toContain('9 TCP connections in 8 captures: **9 findings**');
    expect(md).toContain('## Captures');
    expect(md).toMatch(/- \*\*Error:\*\* .*testing\\_\\_btest\\_\\_Traces\\_\\_pop3\.pcap: cannot open: no such file/);
    expect(md).toContain('## Summary');
    expect(md).toContain('## Services with findings');
    for (const title of ['## CLOSE_WAIT: the application never called close()', '## Late FIN answered by RST', '## Abortive close', '## Reset after close', '## FIN never acknowledged', '## Slow close', '## Refused']) {
      expect(md).toContain(title);
    }
    expectWellFormedTables(md);
  });

  it('gives practical advice for every verdict kind', () => {
    const md = renderMarkdown(report(everyVerdict()), { ...OPTIONS, all: true });
    expect(md).toContain('`ss -tanp state close-wait`');
    expect(md).toContain('Keepalive does not cure it');
    expect(md).toContain('missing close() on error paths');
    expect(md).toContain('SO_LINGER 0: remove it unless avoiding TIME_WAIT is really needed');
    expect(md).toContain('ECONNRESET');
    expect(md).toContain("the client's keep-alive idle timeout must be shorter than the server's");
    expect(md).toContain('TIME_WAIT: who closes first holds it');
    expect(md).toContain('**no-socket: the endpoint had forgotten the connection** (1)');
    expect(md).toContain('**middlebox-suspected: probably not sent by the endpoint** (1)');
    // Captures, summary, services, and one per verdict.
    expect(md.match(/^## /gm)?.length).toBe(3 + 13);
  });

  it('shows up to three examples per verdict with filter, evidence, explanation and a ladder', () => {
    const records = Array.from({ length: 5 }, (_, i) => record({ stream: i + 1, stuckSeconds: 10 * (i + 1) }));
    const md = renderMarkdown(report(records), OPTIONS);
    expect(md).toContain('### close-wait example 1 of 3: stream 5');
    expect(md).toContain('### close-wait example 3 of 3: stream 3');
    expect(md).not.toContain('example 4');
    expect(md).toContain('- Wireshark display filter: `tcp.stream eq 5`\n');
    expect(md).toContain('- Evidence frames: 5, 6');
    expect(md).toContain("- The server 10.0.0.5:8080 ACKed the client's FIN (frame 5) but never sent its own FIN or RST.");
    expect(md).toMatch(/```text\n +time +frame +client 10\.0\.0\.1:40000 +server 10\.0\.0\.5:8080\n/);
    expect(md).toContain('capture ends after 50 s: server never sent its FIN (CLOSE_WAIT)');
  });

  it('names the capture file in examples when there are several captures', () => {
    const caps = [capture({ file: 'a.pcap' }), capture({ file: 'b|c.pcap' })];
    const md = renderMarkdown(report([record({ file: 'b|c.pcap', stream: 7 })], caps), OPTIONS);
    expect(md).toContain('- Wireshark display filter: `tcp.stream eq 7` in `b|c.pcap`');
    expect(md).toContain('### close-wait example 1 of 1: stream 7 of capture 2');
    expect(md).toContain('| 2:7 |');
  });

  it('describes each capture: format, compression, link types, frames that were not TCP', () => {
    const caps = [capture({ format: 'pcapng', compressed: true, compression: 'gzip', linkTypes: ['ethernet', 'linux-sll2'], notDecoded: { 'not-tcp': 10, 'truncated-header': 2 } })];
    const md = renderMarkdown(report([record()], caps), OPTIONS);
    expect(md).toContain('| `capture.pcap` | pcapng, gzip; ethernet, linux-sll2 | 2024-05-01 10:00:00.000 → 10:05:00.000 (5 min 0 s) | 1000 | 990 | 10 | - |');
    expect(md).toContain('- `capture.pcap`: 12 frames without a TCP segment: not-tcp 10, truncated-header 2');
    const withCounts = report([record()], [capture({ findings: 1 })]);
    withCounts.summary.skippedFiles = 2;
    const md2 = renderMarkdown(withCounts, OPTIONS);
    expect(md2).toContain('| 1000 | 990 | 10 | 1 |');
    expect(md2).toContain('- 2 files in the input directories are not a capture and were skipped.');
  });

  it('caps long lists with a pointer to the rest', () => {
    const records = Array.from({ length: 25 }, (_, i) => record({ stream: i }));
    expect(renderMarkdown(report(records), OPTIONS)).toContain('... 5 more (use --all or --format json)');
    expect(renderMarkdown(report(records), { ...OPTIONS, all: true })).toContain('... 5 more (use --format json)');
  });

  it('keeps hostile file names inert: no HTML, no broken table, no link', () => {
    const files = [HOSTILE_FILE, 'a|b`c*_d_[x](javascript:alert(1)).pcap', 'line\nbreak|.pcap', '# heading.pcap'];
    const caps = files.map((file, i) => capture({ file, error: i === 0 ? `${file}: not a capture` : null, warnings: i === 1 ? [`${file} & more`] : [] }));
    const md = renderMarkdown(report(files.map((file, i) => record({ file, stream: i })), caps), OPTIONS);
    expectWellFormedTables(md);
    const markup = outsideCode(md);
    expect(markup).not.toContain('<img');
    expect(markup).not.toContain('[x](');
    expect(markup).toContain('.pcap: not a capture');
    expect(md).not.toContain('line\nbreak');
    expect(md).toContain('`line\\x0abreak\\|.pcap`');
    expect(md).toContain('- **Error:** \\<img src=x onerror=alert(1)\\>.pcap: not a capture');
  });

  it('draws the ladders of a close-wait, an abortive close and a late-FIN reset from real captures', () => {
    const { closeWaitIdle, abortive, lateFin } = ladderRecords();
    const md = renderMarkdown(report([closeWaitIdle, abortive, lateFin], [capture({ file: closeWaitIdle.file })]), OPTIONS);
    // close-wait: the client's FIN, the server's ACK, then nothing until the capture ends.
    expect(md).toMatch(/ 174  \|=+ \[F\.\] seq 19 ack 41 len 0 =+>\| \*\n.* 190  \|<-+ \[\.\] seq 41 ack 20 len 0 -+\| \*\n.*\n +11\.278 s +capture ends after 11\.2 s: server never sent its FIN \(CLOSE_WAIT\)/);
    // abortive close: a RST from the client instead of a FIN.
    expect(md).toMatch(/ 197  \|#+ \[R\.\] seq 19 ack 1 len 0 #+>\| \*/);
    // late FIN reset: the server's FIN 4.6 s after the client's, answered by the client's bare RST.
    expect(md).toMatch(/4\.621 s +266  \|<=+ \[F\.\] seq 41 ack 20 len 0 =+\| \*\n +4\.621 s +267  \|#+ \[R\] seq 20 len 0 #+>\| \*/);
  });
});

describe('markdown escaping', () => {
  it('escapes what markdown would act on and nothing a reader needs', () => {
    expect(mdText('a*b _c [d](e) <f> `g` ~h~ & i\\')).toBe('a\\*b \\_c \\[d\\](e) \\<f\\> \\`g\\` \\~h\\~ \\& i\\\\');
    expect(mdText('SO_LINGER close_wait')).toBe('SO_LINGER close_wait');
    expect(mdText('_x_')).toBe('\\_x\\_');
    expect(mdText('# not a heading')).toBe('\\# not a heading');
    expect(mdText('1. not a list')).toBe('1\\. not a list');
    expect(mdText('11.2 s')).toBe('11.2 s');
  });

  it('makes code spans that survive backticks', () => {
    expect(mdCode('plain')).toBe('`plain`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x')).toBe('`` `x ``');
  });
});
