/**
 * Running the built CLI as a user would (npm test builds first): synchronously for plain runs, as a
 * child process for signals, and on a pseudo-terminal (util-linux `script`) where a terminal matters.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export const root = join(import.meta.dirname, '..', '..');
export const bin = join(root, 'dist', 'src', 'cli', 'bin.js');
export const capture = join(root, 'captures', 'lo-ipv4.pcap');

/** The environment of a run: no colour settings or terminal width inherited from whoever runs the tests. */
export function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, COLUMNS: undefined, CI: undefined, ...env };
}

export function run(args: string[], options: { input?: Buffer | string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, input: options.input, encoding: 'utf8', timeout: 120_000, env: cleanEnv(options.env) });
}

/** A child whose output is gathered; `exit` resolves with its code and signal. */
export function start(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv(options.env) });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Resolves once `text()` matches, polling; rejects after `ms` (a generous time-out, not a timing assertion). */
export async function waitFor(text: () => string, pattern: RegExp, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pattern.test(text())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}: got ${JSON.stringify(text().slice(-500))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const hasScript = existsSync('/usr/bin/script');

/** Runs the CLI on a pseudo-terminal (stdin, stdout and stderr a terminal); the output is the terminal's. */
export function onTerminal(args: string[], env = ''): SpawnSyncReturns<string> {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return spawnSync('/usr/bin/script', ['-qfec', `env -u NO_COLOR -u COLUMNS ${env} ${quoted}`, '/dev/null'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    input: '',
    env: cleanEnv({ TERM: 'xterm' }),
  });
}

export const noStackTrace = (text: string): void => expect(text).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
