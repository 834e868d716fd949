/**
 * `closetrace -i IFACE [filter]` through the built binary, on the loopback of a network namespace made
 * for the test (so no other traffic and no host interface is touched; removed afterwards): a real
 * tcpdump (and dumpcap) capture of real sockets, one left in CLOSE_WAIT and one reset with SO_LINGER 0,
 * stopped with a real SIGINT, and on a pseudo-terminal with Ctrl-C typed at it. Also the one-line
 * errors: no capture tool, capture not permitted (a real unprivileged tcpdump), no such interface.
 */
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cleanEnv, hasScript, root, run, waitFor } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'closetrace-live-'));
const namespace = `ct-live-${process.pid}`;
const tcpdump = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].find((p) => existsSync(p)) ?? null;
const dumpcap = ['/usr/bin/dumpcap', '/usr/sbin/dumpcap'].find((p) => existsSync(p)) ?? null;
const isRoot = process.getuid?.() === 0;

/** A namespace of our own: created here or the live tests skip (not root, no `ip`, no netns support). */
const ip = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? null;
const netns = ((): boolean => {
  if (!isRoot || tcpdump === null || ip === null) return false;
  try {
    execFileSync(ip, ['netns', 'add', namespace], { stdio: 'ignore' });
    execFileSync(ip, ['-n', namespace, 'link', 'set', 'lo', 'up'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (netns && ip !== null) spawnSync(ip, ['netns', 'del', namespace]);
  rmSync(work, { recursive: true, force: true });
});

/**
 * Real sockets on the namespace's loopback: a server that never closes what it accepts (allowHalfOpen, so after the
 * client's FIN it sits in CLOSE_WAIT), and a client that ends a second connection with SO_LINGER 0
 * (Node's resetAndDestroy: an abortive close). Prints "done" and holds the sockets until killed.
 */
const TRAFFIC = `
const net = require('node:net');
const port = Number(process.argv.at(-1));
const kept = [];
const server = net.createServer({ allowHalfOpen: true }, (s) => { kept.push(s); s.on('data', () => {}); s.on('end', () => {}); s.on('error', () => {}); });
server.listen(port, '127.0.0.1', () => {
  const leak = net.connect(port, '127.0.0.1', () => {
    leak.write('hello');
    leak.end();
    const abort = net.connect(port, '127.0.0.1', () => {
      abort.write('bye');
      setTimeout(() => { abort.resetAndDestroy(); setTimeout(() => console.log('done'), 300); }, 100);
    });
  });
});
setInterval(() => {}, 1000);
`;

function inNamespace(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  const child = spawn(ip ?? 'ip', ['netns', 'exec', namespace, command, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv(env) });
  children.push(child);
  return child;
}

function gather(child: ChildProcessWithoutNullStreams): { out: () => string; err: () => string; exit: Promise<{ code: number | null; signal: string | null }> } {
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { out: () => out, err: () => err, exit };
}

async function traffic(port: number): Promise<ChildProcessWithoutNullStreams> {
  const child = inNamespace(process.execPath, ['-e', TRAFFIC, String(port)]);
  const t = gather(child);
  await waitFor(t.out, /done/);
  return child;
}

interface Conn {
  server: string;
  verdict: string;
  endpoint: string | null;
}

describe.skipIf(!netns)('live capture on a namespace loopback', () => {
  beforeAll(() => {
    expect(netns).toBe(true);
  });

  for (const tool of ['tcpdump', 'dumpcap'] as const) {
    it.skipIf(tool === 'dumpcap' && dumpcap === null)(`with ${tool}: Ctrl-C prints the report of what it saw, exit 130`, async () => {
      const port = tool === 'tcpdump' ? 7001 : 7002;
      let env: NodeJS.ProcessEnv = {};
      if (tool === 'dumpcap') {
        // Only dumpcap on the PATH: closetrace falls back to it when tcpdump is not installed.
        const only = join(work, 'only-dumpcap');
        mkdirSync(only, { recursive: true });
        if (!existsSync(join(only, 'dumpcap'))) symlinkSync(dumpcap ?? '', join(only, 'dumpcap'));
        env = { PATH: only };
      }
      const live = gather(inNamespace(process.execPath, [bin, '-i', 'lo', '--format', 'json', 'tcp', 'port', String(port)], env));
      await waitFor(live.err, /capturing; Ctrl-C stops and prints the report/);
      const sockets = await traffic(port);
      // Packets are written as they arrive (-U, --immediate-mode); give them a moment to be read.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const [liveChild] = children.filter((c) => c.spawnargs.includes(bin) && c.spawnargs.includes(String(port)));
      liveChild.kill('SIGINT');
      const { code } = await live.exit;
      sockets.kill('SIGKILL');
      expect(code, live.err()).toBe(130);
      const report = JSON.parse(live.out());
      expect(report.captures[0].format).toBe(tool === 'tcpdump' ? 'pcap' : 'pcapng');
      const connections = report.connections as Conn[];
      expect(connections).toContainEqual(expect.objectContaining({ server: `127.0.0.1:${port}`, verdict: 'close-wait', endpoint: 'server' }));
      expect(connections).toContainEqual(expect.objectContaining({ server: `127.0.0.1:${port}`, verdict: 'abortive-close', endpoint: 'client' }));
    });
  }

  it.skipIf(!hasScript)('on a terminal: a refreshed view of CLOSE_WAIT now, then the report on Ctrl-C', async () => {
    const port = 7003;
    const command = `${ip} netns exec ${namespace} ${process.execPath} ${bin} -i lo tcp port ${port}`;
    const terminal = spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv({ TERM: 'xterm', NO_COLOR: '1' }) });
    children.push(terminal);
    const screen = gather(terminal);
    await waitFor(screen.out, /In CLOSE_WAIT now: 0/);
    const sockets = await traffic(port);
    await waitFor(screen.out, /In CLOSE_WAIT now: 1/);
    expect(screen.out()).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} +server +127\\.0\\.0\\.1:\\d+`));
    await waitFor(screen.out, /abortive-close/);
    // A CLOSE_WAIT younger than --slow-close (1 s) at the end is a close in progress, not a finding:
    // let it age past that before stopping.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Ctrl-C typed at the terminal: the line discipline sends SIGINT to closetrace and tcpdump.
    terminal.stdin.write('\x03');
    const { code } = await screen.exit;
    sockets.kill('SIGKILL');
    expect(code).toBe(130);
    const report = screen.out().slice(screen.out().lastIndexOf('closetrace 0.'));
    expect(report).toMatch(/close-wait: 1 connection/);
    expect(report).toMatch(/abortive-close: 1 connection/);
  });

  it('a BPF filter tcpdump refuses is one line and exit 2', () => {
    const r = spawnSync(ip ?? 'ip', ['netns', 'exec', namespace, process.execPath, bin, '-i', 'lo', 'tcp', 'port'], { cwd: root, encoding: 'utf8', timeout: 30_000, env: cleanEnv() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^closetrace: cannot capture on lo: tcpdump: .*(syntax error|parse filter)/m);
    expect(r.stdout).toBe('');
  });
});

describe('live capture errors', () => {
  it.skipIf(tcpdump === null)('no such interface', () => {
    const r = run(['-i', 'ct-no-such-if0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('closetrace: cannot capture on ct-no-such-if0: tcpdump: ct-no-such-if0: No such device exists\n');
    expect(r.stdout).toBe('');
  });

  it.skipIf(tcpdump === null || !isRoot || !existsSync('/usr/bin/setpriv'))('capture not permitted (a real tcpdump run by an unprivileged user)', () => {
    const r = spawnSync('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, '-i', 'lo'], { cwd: '/', encoding: 'utf8', timeout: 30_000, env: cleanEnv() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^closetrace: cannot capture on lo: tcpdump: lo: You don't have permission to (perform this )?capture on that device\n$/);
    expect(r.stdout).toBe('');
  });

  // The sbin directories are searched whatever PATH says; with a tool there, "missing" cannot be shown.
  const inSbin = ['/usr/sbin', '/sbin', '/usr/local/sbin'].some((d) => existsSync(join(d, 'tcpdump')) || existsSync(join(d, 'dumpcap')));
  it.skipIf(inSbin)('neither tcpdump nor dumpcap installed', () => {
    const r = run(['-i', 'lo'], { env: { PATH: join(work, 'empty-path') } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('closetrace: live capture (-i) needs tcpdump or dumpcap, and neither is installed (e.g. apt install tcpdump)\n');
  });
});
