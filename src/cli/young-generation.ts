/**
 * Keeps V8's young generation at its starting size for the whole process (imported first by bin.ts).
 *
 * V8 doubles the new space (up to 2 x 16 MiB on 64-bit) whenever many young objects survive a
 * scavenge. The analysis allocates little per packet but builds its report at the end, where the
 * survivors (hosts, services, the listing) made it grow from 8 to 16 MiB semispaces: +20-25 MB of
 * peak RSS while the analysis' tables were still held, for no gain in time (on the bench capture,
 * 189 -> 167 MiB peak, 0.91x wall in 6 paired runs: small semispaces stay in cache). The flag is read
 * at every growth decision, so it works when set at run time; `--max-semi-space-size` is fixed when
 * the heap is made and is not. A process that embeds the library keeps its own settings.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
