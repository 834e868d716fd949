/**
 * The size of V8's young generation for the whole process: kept at its starting 1 MiB semispaces
 * (imported first by bin.ts), or grown once to 4 MiB for the formats that build a record per
 * connection (growForRecords(), called by the command line once it knows the format).
 *
 * V8 doubles the new space (up to 16 MiB semispaces on 64-bit) whenever many young objects survive a
 * scavenge. The analysis allocates little per packet but builds its report at the end, where the
 * survivors (hosts, services, the listing) made it double while the analysis' tables were still held:
 * +20-25 MB of peak RSS, for no gain in time. The JSON, CSV, ndjson and Zeek outputs build a record for
 * every connection listed, and with 1 MiB those are promoted too early: on the bench capture twice the
 * GC time, 1.12x the wall time and +12 MiB against 4 MiB semispaces, which suit them best (2 and 8 MiB
 * were slower or larger). V8 reads no size setting once the heap is made (`--min/max-semi-space-size`
 * are ignored then) but reads the growth factor at every growth decision: so the size is kept by a
 * factor of 1, and grown by letting short-lived objects survive a few scavenges (about 25 ms). A
 * process that embeds the library keeps its own settings.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Two semispaces of 4 MiB. */
const RECORDS_NEW_SPACE_BYTES = 8 * 1024 * 1024;
/** Rounds of allocation at most (each ~0.25 MB), should V8 not grow as expected. */
const MAX_ROUNDS = 400;

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? RECORDS_NEW_SPACE_BYTES;
}

/** Grows the young generation to 4 MiB semispaces (once), then keeps it there. */
export function growForRecords(): void {
  if (newSpaceBytes() >= RECORDS_NEW_SPACE_BYTES) return;
  setFlagsFromString('--semi-space-growth-factor=2');
  const survivors: number[][] = [];
  for (let round = 0; round < MAX_ROUNDS && newSpaceBytes() < RECORDS_NEW_SPACE_BYTES; round++) {
    for (let n = 0; n < 256; n++) survivors.push(new Array<number>(126).fill(n));
    // Live long enough to survive the scavenges that make V8 grow the new space, then let go.
    if (survivors.length > 4096) survivors.length = 0;
  }
  setFlagsFromString('--semi-space-growth-factor=1');
}

setFlagsFromString('--semi-space-growth-factor=1');
