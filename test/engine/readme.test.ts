import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

it("README's example output is what closetrace prints today (run readme-examples --write to refresh)", () => {
  const run = spawnSync(process.execPath, [join(root, 'dist', 'scripts', 'readme-examples.js'), '--check'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr + run.stdout).toBe('');
  expect(run.status).toBe(0);
});
