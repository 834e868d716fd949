/**
 * Every renderer on the real Linux captures in captures/ (all 13 verdicts, IPv4 and IPv6): the
 * invariants that must hold whatever the data -- table width and no escape codes, well-formed CSV
 * with one row per connection, a ladder for each example, advice for every verdict present.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/batch/analyze.js';
import { renderCsv } from '../../src/render/format-csv.js';
import { renderHtml } from '../../src/render/format-html.js';
import { renderMarkdown } from '../../src/render/format-markdown.js';
import { renderTable } from '../../src/render/format-table.js';
import type { Report } from '../../src/report/model.js';
import { displayWidth } from '../../src/render/text-width.js';
import { OPTIONS } from './fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FILES = ['captures/lo-ipv4.pcap', 'captures/veth-ipv6-nsec.pcap'];
const present = FILES.every((f) => existsSync(join(ROOT, f)));

describe.skipIf(!present)('reports of the Linux captures', () => {
  let findings: Report;
  let all: Report;

  beforeAll(async () => {
    const inputs = FILES.map((f) => join(ROOT, f));
    findings = await analyze(inputs);
    all = await analyze(inputs, { all: true });
  });

  it('table: within 100 columns, no escape codes, every finding kind listed', () => {
    for (const [r, all_] of [[findings, false], [all, true]] as const) {
      const text = renderTable(r, { ...OPTIONS, all: all_ });
      for (const line of text.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(100);
      expect(text).not.toContain('\u001b');
      for (const v of ['close-wait', 'late-fin-reset', 'abortive-close', 'reset-after-close', 'keepalive-timeout', 'reset', 'slow-close', 'refused', 'unanswered']) {
        expect(text).toMatch(new RegExp(`^${v}: \\d+ connection`, 'm'));
      }
    }
  });

  it('markdown and html: a section and up to three ladders per verdict', () => {
    const md = renderMarkdown(all, { ...OPTIONS, all: true });
    const html = renderHtml(all, { ...OPTIONS, all: true });
    const verdicts = new Set(all.connections.map((c) => c.verdict));
    // Captures, Summary, Services, Sockets at the end of the capture, Wireshark, then one per verdict.
    expect(md.match(/^## /gm)?.length).toBe(5 + verdicts.size);
    expect(md).toMatch(/^## Sockets at the end of the capture$/m);
    const examples = [...verdicts].reduce((n, v) => n + Math.min(3, all.connections.filter((c) => c.verdict === v && c.ladder.length > 0).length), 0);
    expect(examples).toBeGreaterThanOrEqual(2 * 9);
    expect(md.match(/^```text$/gm)?.length).toBe(examples);
    expect(html.match(/<svg class="ladder"/g)?.length).toBe(examples);
  });

  it('csv: one row per listed connection', () => {
    const csv = renderCsv(all);
    expect(csv.split('\r\n').length - 2).toBe(all.connections.length);
  });
});
