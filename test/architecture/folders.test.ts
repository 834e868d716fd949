/**
 * The data flows one way (docs/architecture.md): each folder of src/ imports only folders before it in
 * this order, so there is no cycle and no reach-back (the tracker never formats, reporters never parse).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const ORDER = ['time', 'layout', 'capture', 'decode', 'flow', 'track', 'verdict', 'sockets', 'engine', 'report', 'render', 'batch', 'cli'];

function imports(): { from: string; to: string; file: string }[] {
  const out: { from: string; to: string; file: string }[] = [];
  for (const folder of readdirSync(SRC, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const file of readdirSync(join(SRC, folder.name))) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(join(SRC, folder.name, file), 'utf8');
      for (const m of text.matchAll(/from '\.\.\/([a-z-]+)\//g)) out.push({ from: folder.name, to: m[1], file: `${folder.name}/${file}` });
    }
  }
  return out;
}

describe('folders of src/', () => {
  it('are all in the documented order', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.filter((f) => !ORDER.includes(f))).toEqual([]);
  });

  it('import only folders before them (no cycle, no reach-back)', () => {
    const backwards = imports()
      .filter(({ from, to }) => ORDER.indexOf(to) >= ORDER.indexOf(from) && to !== from)
      .map(({ file, to }) => `${file} imports ${to}/`);
    expect(backwards).toEqual([]);
  });
});
