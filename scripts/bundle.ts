/**
 * The build's last step: the command line (dist/src/cli/bin.js) and the analysis worker each become
 * one file, bundled in place from tsc's output. Loading the ~170 ES modules one by one (resolve, stat,
 * read, compile each) took 0.22 s of every run and of every worker's start (`closetrace --version`
 * 0.34 s, 0.16-0.20 s bundled), and the module objects ~5 MiB of the peak. The library
 * (dist/src/index.js) stays as modules. The bundled command line starts its workers from
 * analysis-worker.js beside itself (worker-pool.ts), so the worker bundle is written there too.
 */
import { buildSync } from 'esbuild';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../src/', import.meta.url));
const cli = join(dist, 'cli', 'bin.js');
const worker = join(dist, 'batch', 'analysis-worker.js');
// CommonJS dependencies (commander, cli-table3) bundled into an ES module still call require().
const banner = "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);";

for (const file of [cli, worker]) {
  buildSync({ entryPoints: [file], outfile: file, allowOverwrite: true, bundle: true, platform: 'node', format: 'esm', target: 'node20', banner: { js: banner }, logLevel: 'warning' });
}
copyFileSync(worker, join(dist, 'cli', 'analysis-worker.js'));
// tsc writes the bin without the execute bit; npm would then run it through sh.
chmodSync(cli, 0o755);
