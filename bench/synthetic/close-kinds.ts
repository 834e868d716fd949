/**
 * How each synthetic connection ends: the generator's contract with the benchmark, which checks that the
 * analysis finds these counts. "Client" opened the connection (sent the SYN, or is the ephemeral-port side
 * of a connection already open when the capture starts).
 */
export const BENCH_CLOSE_KINDS = [
  /** Client FIN, server ACK and FIN (or FIN+ACK at once), client's last ACK. */
  'orderlyClientFirst',
  /** The same with the server closing first (sometimes with its last data on the FIN). */
  'orderlyServerFirst',
  /** Client shuts down its sending side right after its request; the server keeps sending, then closes. */
  'halfClose',
  /** Both FINs cross: each is sent before the other side's FIN arrived, then both are acknowledged. */
  'simultaneousClose',
  /** One side's FIN is acknowledged but the peer never sends its own (CLOSE_WAIT leak). */
  'closeWaitLeak',
  /** One side aborts an established connection with RST+ACK. */
  'abortiveRst',
  /** One side closed (FIN, acknowledged); the peer then sent data and got a bare RST back. */
  'passiveRst',
  /** SYN answered by RST+ACK: nothing listening. */
  'refused',
  /** SYN (and its retransmissions) never answered. */
  'synUnanswered',
  /** Still open when the capture ends: data exchanged, never closed. */
  'openAtEnd',
] as const;

export type BenchCloseKind = (typeof BENCH_CLOSE_KINDS)[number];

/** Relative frequency of each kind among new connections (percent). */
export const CLOSE_KIND_WEIGHTS: Record<BenchCloseKind, number> = {
  orderlyClientFirst: 36,
  orderlyServerFirst: 22,
  halfClose: 5,
  simultaneousClose: 2,
  closeWaitLeak: 4,
  abortiveRst: 10,
  passiveRst: 4,
  refused: 8,
  synUnanswered: 3,
  openAtEnd: 6,
};

export function emptyKindCounts(): Record<BenchCloseKind, number> {
  return Object.fromEntries(BENCH_CLOSE_KINDS.map((k) => [k, 0])) as Record<BenchCloseKind, number>;
}
