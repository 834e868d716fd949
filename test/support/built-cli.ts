/**
 * Runs the built CLI (dist/src/cli/bin.js) in a child process and reports its peak resident memory, for
 * the memory ceilings of hostile inputs. The child prints process.resourceUsage().maxRSS (the kernel's
 * high-water mark of the whole process) on exit, through a one-line module given to --import, so the
 * figure covers everything the process ever held, not a sample.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../dist/src/cli/bin.js', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

const MARK = 'closetrace-test-maxrss=';
const REPORT_MAX_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\n${MARK}'+process.resourceUsage().maxRSS+'\\n'))`;

/** Builds dist when it is missing; says why the CLI cannot be run, or null when it can. */
export function cliUnusable(): string | null {
  if (!existsSync(cliPath)) {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore', timeout: 180_000 });
    if (!existsSync(cliPath)) return `build failed (status ${build.status})`;
  }
  const probe = spawnSync(process.execPath, [cliPath, '--version'], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0 ? null : `dist/src/cli/bin.js does not run: ${probe.stderr.split('\n')[0]}`;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  /** stderr without the memory line. */
  stderr: string;
  /** Peak resident set of the child, MiB. */
  maxRssMiB: number;
}

export interface CliRunOptions {
  /** V8 heap limit for the child (--max-old-space-size, MiB). */
  maxOldSpaceMiB?: number;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs `node dist/src/cli/bin.js ...args` and resolves with its output and peak RSS. */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const nodeArgs = ['--import', REPORT_MAX_RSS];
  if (options.maxOldSpaceMiB !== undefined) nodeArgs.push(`--max-old-space-size=${options.maxOldSpaceMiB}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, cliPath, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      const at = stderr.lastIndexOf(MARK);
      const maxRssKiB = at < 0 ? NaN : Number(stderr.slice(at + MARK.length).trim());
      resolve({
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: at < 0 ? stderr : stderr.slice(0, at).replace(/\n$/, ''),
        maxRssMiB: maxRssKiB / 1024,
      });
    });
  });
}
