/**
 * The HTML report as a browser sees it: headless Chromium loads the file, and the test reads back the
 * DOM (the ladders and charts are there, the hostile file name is text and created no element) and a
 * screenshot (the page is not blank). Skipped where Chromium is not installed (CI installs it with apt).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/render/format-html.js';
import { capture, HOSTILE_FILE, ladderRecords, OPTIONS, report } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const TIME_LIMIT_MS = 30_000;

/** Runs Chromium headless in a fresh profile; kills its whole process group if it overruns. */
function chromium(args: string[], profile: string): Promise<{ stdout: string; code: number | null }> {
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, [...flags, ...args], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`chromium did not finish within ${TIME_LIMIT_MS / 1000} s`));
    }, TIME_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup();
      resolve({ stdout, code });
    });
  });
}

/** Width, height and how many different byte values the decompressed pixel rows hold (1-2 for a blank page). */
function pngFacts(png: Buffer): { width: number; height: number; distinctBytes: number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let o = 8; o < png.length; ) {
    const length = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    const data = png.subarray(o + 8, o + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    } else if (type === 'IDAT') idat.push(data);
    o += 12 + length;
  }
  const pixels = inflateSync(Buffer.concat(idat));
  return { width, height, distinctBytes: new Set(pixels).size };
}

describe.skipIf(!existsSync(CHROMIUM))('HTML report in headless Chromium', () => {
  let dir = '';
  let page = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'closetrace-html-'));
    const { closeWaitIdle, abortive, lateFin } = ladderRecords();
    const records = [closeWaitIdle, abortive, lateFin].map((r) => ({ ...r, file: HOSTILE_FILE }));
    const caps = [capture({ file: HOSTILE_FILE, error: `${HOSTILE_FILE}: truncated` }), capture({ file: 'second.pcap' })];
    page = join(dir, 'report.html');
    writeFileSync(page, renderHtml(report(records, caps), OPTIONS));
  });

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('renders the ladders and charts, and the hostile file name only as text', async () => {
    const { stdout } = await chromium(['--dump-dom', `file://${page}`], join(dir, 'profile-dom'));
    expect(stdout).toContain('<h1>closetrace report</h1>');
    expect(stdout.match(/<svg class="ladder"/g)?.length).toBe(3);
    expect(stdout.match(/<svg class="chart"/g)?.length).toBe(2);
    expect(stdout).toContain('CLOSE_WAIT</text>');
    expect(stdout).toContain('&lt;img src=x onerror=alert(1)&gt;.pcap');
    expect(stdout).not.toMatch(/<img/i);
    expect(stdout).not.toMatch(/<script/i);
  });

  it('paints a page that is not blank', async () => {
    const shot = join(dir, 'page.png');
    await chromium(['--hide-scrollbars', `--screenshot=${shot}`, '--window-size=1200,2000', `file://${page}`], join(dir, 'profile-shot'));
    const facts = pngFacts(readFileSync(shot));
    expect(facts.width).toBe(1200);
    expect(facts.height).toBe(2000);
    // Text, chips and bars in several colours, not a white sheet.
    expect(facts.distinctBytes).toBeGreaterThan(50);
  });
});
