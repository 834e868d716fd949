import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sniffCompression } from '../capture/decompress.js';
import { describeSystemError } from '../capture/errors.js';

/** One thing to read: a capture file (or `-`), or an input that could not even be listed. */
export interface InputFile {
  path: string;
  /** Size in bytes (-1 for stdin or unknown). */
  size: number;
  /** Set when a directory walk met something it could not read (permission denied, ...). */
  error: string | null;
  /**
   * What --shard hashes: the path below the directory argument that found the file ('/'-separated), or
   * the file name of a file given directly; never where the inputs sit, so every machine and every
   * temporary directory puts the file in the same shard.
   */
  shardKey: string;
}

export interface ExpandedInputs {
  files: InputFile[];
  /** Files inside directories that are not captures (by their magic bytes), skipped. */
  skipped: number;
  /** Their shard keys, in walk order (so a sharded run can count only its own part of them). */
  skippedKeys: string[];
}

const CAPTURE_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0xa1b2cd34, 0x34cdb2a1, 0x0a0d0d0a]);

/**
 * Expands the command-line inputs: files are taken as given (whatever their content, so a bad file is
 * reported, not ignored), directories are walked recursively in a stable order (names sorted by UTF-16
 * code units, each subdirectory where its name sorts) and only files whose first bytes are a capture or
 * a compressed stream are kept. Symbolic links are followed (a dangling one is an error row, a directory
 * met twice is walked once); FIFOs, sockets and devices inside directories are skipped like other
 * non-captures, since reading them could block forever.
 */
export async function expandInputs(inputs: string[]): Promise<ExpandedInputs> {
  const files: InputFile[] = [];
  const skippedKeys: string[] = [];
  const visited = new Set<string>();
  for (const input of inputs) {
    if (input === '-') {
      files.push({ path: '-', size: -1, error: null, shardKey: '-' });
      continue;
    }
    let info;
    try {
      info = await stat(input);
    } catch (error) {
      files.push({ path: input, size: -1, error: `${input}: cannot open: ${describeSystemError(error)}`, shardKey: basename(input) });
      continue;
    }
    if (!info.isDirectory()) {
      files.push({ path: input, size: info.isFile() ? info.size : -1, error: null, shardKey: basename(input) });
      continue;
    }
    visited.add(`${info.dev}:${info.ino}`);
    await walk(input, '', files, skippedKeys, visited);
  }
  return { files, skipped: skippedKeys.length, skippedKeys };
}

/** Walks `directory`, which is `below` (its shard key prefix, '' for the directory given) under the input. */
async function walk(directory: string, below: string, files: InputFile[], skippedKeys: string[], visited: Set<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    files.push({ path: directory, size: -1, error: `${directory}: cannot list: ${describeSystemError(error)}`, shardKey: below });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    const shardKey = below === '' ? entry.name : `${below}/${entry.name}`;
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    let identity: string | null = null;
    if (entry.isSymbolicLink() || isDirectory) {
      let info;
      try {
        info = await stat(path);
      } catch (error) {
        files.push({ path, size: -1, error: `${path}: cannot open: ${describeSystemError(error)}`, shardKey });
        continue;
      }
      isDirectory = info.isDirectory();
      isFile = info.isFile();
      identity = `${info.dev}:${info.ino}`;
    }
    if (isDirectory) {
      // A link back up the tree (or two links to one folder) would otherwise be walked forever or twice.
      if (identity !== null && visited.has(identity)) continue;
      if (identity !== null) visited.add(identity);
      await walk(path, shardKey, files, skippedKeys, visited);
      continue;
    }
    if (!isFile) {
      skippedKeys.push(shardKey);
      continue;
    }
    const kind = await sniff(path);
    if (kind.error !== null) files.push({ path, size: -1, error: kind.error, shardKey });
    else if (kind.capture) files.push({ path, size: kind.size, error: null, shardKey });
    else skippedKeys.push(shardKey);
  }
}

/** A capture or a compressed stream (gzip, zstd): decided by magic bytes, never by the name. */
async function sniff(path: string): Promise<{ capture: boolean; size: number; error: string | null }> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(4);
      const { bytesRead } = await handle.read(head, 0, 4, 0);
      const size = (await handle.stat()).size;
      if (sniffCompression(head, bytesRead) !== null) return { capture: true, size, error: null };
      if (bytesRead < 4) return { capture: false, size, error: null };
      const magic = (head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0;
      return { capture: CAPTURE_MAGICS.has(magic), size, error: null };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { capture: false, size: -1, error: `${path}: cannot open: ${describeSystemError(error)}` };
  }
}

