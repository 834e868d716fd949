/**
 * Worker threads run the built JavaScript (dist/), not the TypeScript sources vitest runs: tests that
 * start workers call ensureBuilt() first. It rebuilds when dist is older than any source file, under a
 * lock directory so that test files running in parallel do not build (and load half-written files) at
 * the same time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const worker = join(root, 'dist', 'src', 'batch', 'analysis-worker.js');
const lock = join(root, 'dist', '.batch-tests-build.lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function stale(): boolean {
  return !existsSync(worker) || statSync(worker).mtimeMs < newestSource(join(root, 'src'));
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function ensureBuilt(): void {
  if (!stale()) return;
  mkdirSync(join(root, 'dist'), { recursive: true });
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than 3 minutes was left by a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another test file to build dist/');
      sleep(200);
    }
  }
  try {
    // tsc emits even when other files have type errors; only a missing worker script is fatal here.
    if (stale()) spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore', timeout: 180_000 });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  if (!existsSync(worker)) throw new Error(`the build did not produce ${worker}`);
}
