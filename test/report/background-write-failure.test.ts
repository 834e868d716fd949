/**
 * Record spills and report files are written on the thread pool while the next buffer is filled. A
 * write that fails there (a full disk) must still fail the run, at the point the data is needed, and
 * leave no temporary file behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../src/cli/atomic-write.js';
import { RecordSpill } from '../../src/report/record-spill.js';
import { recordText } from '../../src/render/streamed-formats.js';
import { record } from './fixtures.js';
import { tempDir } from '../support/temp-dir.js';

const failing = vi.hoisted(() => ({ writes: false }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const write = ((...args: unknown[]) => {
    const callback = args[args.length - 1] as (error: NodeJS.ErrnoException | null, written: number) => void;
    if (!failing.writes) return (fs.write as (...a: unknown[]) => void)(...args);
    const error: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device, write');
    error.code = 'ENOSPC';
    setImmediate(() => callback(error, 0));
  }) as typeof fs.write;
  return { ...fs, default: { ...fs, write }, write };
});

describe('background writes that fail', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('a RecordSpill fails settle() with the write error', async () => {
    const spill = new RecordSpill();
    const text = recordText('ndjson');
    failing.writes = true;
    try {
      // About 3 MiB of records: several buffers go to the thread pool before settle().
      for (let i = 0; i < 1500; i++) spill.add('a.pcap', i, text(record({ stream: i, explanation: 'x'.repeat(2000) })));
      await expect(spill.settle()).rejects.toThrow('ENOSPC');
    } finally {
      failing.writes = false;
      spill.remove();
    }
  });

  it('writeFileAtomic rejects, keeps the old file and leaves no temporary file', async () => {
    const file = tmp.path('report.json');
    await writeFileAtomic(file, 'old\n');
    failing.writes = true;
    try {
      await expect(writeFileAtomic(file, ['a'.repeat(3 << 20), 'b'.repeat(1 << 20)])).rejects.toThrow('ENOSPC');
    } finally {
      failing.writes = false;
    }
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(readdirSync(tmp.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
