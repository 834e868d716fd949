/**
 * Connection scripts: the packets one synthetic connection will send, in order, as compact steps
 * (operation, direction, payload length, microseconds since the previous step). Sequence and
 * acknowledgment numbers are not stored: the emitter derives them from per-side state as it sends, which
 * keeps them consistent however the steps are arranged.
 */
import type { BenchCloseKind } from './close-kinds.js';
import type { Prng } from './prng.js';

export const OP = {
  SYN: 1,
  SYN_ACK: 2,
  ACK: 3,
  DATA: 4,
  /** FIN+ACK (PSH too when it carries data); sent again it is a retransmission at the same sequence. */
  FIN: 5,
  /** FIN+ACK whose ACK does not yet cover the peer's FIN (simultaneous close). */
  FIN_STALE: 6,
  RST_ACK: 7,
  /** Bare RST at the sender's next sequence number (what the peer acknowledged). */
  RST: 8,
  /** RST+ACK with sequence 0 answering a SYN. */
  REFUSE: 9,
  /** ACK one below the next sequence number, no data. */
  KEEPALIVE: 10,
} as const;

export const CLIENT = 0;
export const SERVER = 1;

/** Ints per step in a script. */
export const STEP = 4;

export interface ScriptFacts {
  /** Who closed or reset first (CLIENT/SERVER), or -1 when nobody did. */
  initiator: number;
  keepaliveProbes: number;
  finRetransmissions: number;
}

export interface ConnectionShape {
  kind: BenchCloseKind;
  midstream: boolean;
  /** Round-trip time between the endpoints, microseconds. */
  rttUs: number;
  /** Payload bytes that fill one full-sized segment (1448 with timestamps, else 1460). */
  mss: number;
  keepalive: boolean;
  finRetransmit: boolean;
}

export class ScriptBuilder {
  private steps = new Int32Array(1024 * STEP);
  private used = 0;
  private shape!: ConnectionShape;
  private readonly pool = new Map<number, Int32Array[]>();

  constructor(private readonly rng: Prng) {}

  /** Steps in the script being built. */
  get length(): number {
    return this.used / STEP;
  }

  private push(op: number, dir: number, len: number, delayUs: number): void {
    if (this.used + STEP > this.steps.length) {
      const grown = new Int32Array(this.steps.length * 2);
      grown.set(this.steps);
      this.steps = grown;
    }
    const s = this.steps;
    s[this.used] = op;
    s[this.used + 1] = dir;
    s[this.used + 2] = len;
    s[this.used + 3] = Math.max(1, Math.round(delayUs));
    this.used += STEP;
  }

  /**
   * The script built so far, copied into an array from the pool (its length is a power of two, at least
   * `length * STEP`; the rest is stale). Give it back with recycle() once played: typed-array allocation
   * per connection was a tenth of the generator's time.
   */
  take(): Int32Array {
    let capacity = 16;
    while (capacity < this.used) capacity *= 2;
    const pool = this.pool.get(capacity);
    const out = pool && pool.length > 0 ? pool.pop()! : new Int32Array(capacity);
    const steps = this.steps;
    for (let i = 0; i < this.used; i++) out[i] = steps[i];
    return out;
  }

  recycle(script: Int32Array): void {
    let pool = this.pool.get(script.length);
    if (!pool) this.pool.set(script.length, (pool = []));
    if (pool.length < 4096) pool.push(script);
  }

  // Delays, in microseconds. The capture point is near the server: server packets answer quickly,
  // client packets come a round trip after what they answer.
  private rtt(): number {
    return this.shape.rttUs * (0.9 + 0.2 * this.rng.float());
  }
  private proc(): number {
    return 20 + this.rng.int(300);
  }
  private serverThink(): number {
    return 100 + this.rng.exp(3000);
  }
  private clientThink(): number {
    return 500 + this.rng.exp(150_000);
  }
  private backToBack(): number {
    return 5 + this.rng.int(60);
  }

  /** Requests and last segments of responses: mostly small (API calls), sometimes up to a full segment. */
  private smallPayload(): number {
    const u = this.rng.float();
    return 20 + Math.floor((this.shape.mss - 20) * u * u * u * u);
  }

  private handshake(): void {
    this.push(OP.SYN, CLIENT, 0, 0);
    this.push(OP.SYN_ACK, SERVER, 0, this.proc());
    this.push(OP.ACK, CLIENT, 0, this.rtt());
  }

  private segmentsInResponse(): number {
    const x = this.rng.float();
    if (x < 0.86) return 1;
    if (x < 0.97) return this.rng.range(2, 3);
    if (x < 0.998) return this.rng.range(4, 12);
    return this.rng.range(16, 64);
  }

  /** Server sends `n` segments; the client ACKs every second one, and maybe the odd last one. */
  private response(n: number, first: boolean): void {
    const mss = this.shape.mss;
    for (let i = 0; i < n; i++) {
      const len = i < n - 1 ? mss : this.smallPayload();
      this.push(OP.DATA, SERVER, len, i === 0 && first ? this.serverThink() : this.backToBack());
      if (i % 2 === 1) this.push(OP.ACK, CLIENT, 0, this.rtt());
    }
    if (n % 2 === 1 && this.rng.chance(0.5)) this.push(OP.ACK, CLIENT, 0, this.rtt() + 40_000);
  }

  /** One request/response round; the first after a handshake follows it quickly. */
  private exchange(first: boolean): void {
    this.push(OP.DATA, CLIENT, this.smallPayload(), first ? this.backToBack() : this.clientThink());
    this.response(this.segmentsInResponse(), true);
  }

  private exchanges(): void {
    const x = this.rng.float();
    const rounds = x < 0.72 ? 1 : x < 0.92 ? 2 : this.rng.range(3, 6);
    for (let i = 0; i < rounds; i++) this.exchange(i === 0);
  }

  private keepalives(facts: ScriptFacts): void {
    const prober = this.rng.chance(0.7) ? CLIENT : SERVER;
    const probes = this.rng.range(1, 3);
    for (let i = 0; i < probes; i++) {
      this.push(OP.KEEPALIVE, prober, 0, 5_000_000 + this.rng.int(10_000_000));
      this.push(OP.ACK, 1 - prober, 0, prober === CLIENT ? this.proc() : this.rtt());
    }
    facts.keepaliveProbes += probes;
  }

  /** Time from the other side's packet to `dir`'s answer. */
  private answer(dir: number): number {
    return dir === SERVER ? this.proc() : this.rtt();
  }

  private orderly(first: number, facts: ScriptFacts): void {
    const second = 1 - first;
    facts.initiator = first;
    const finData = first === SERVER && this.rng.chance(0.2) ? this.smallPayload() : 0;
    this.push(OP.FIN, first, finData, first === CLIENT ? this.rng.range(200, 50_000) : this.serverThink());
    if (this.shape.finRetransmit) {
      // Lost beyond the capture point (which is near the server): the server's FIN itself, or the server's
      // ACK of the client's FIN. Either way the FIN comes again after a retransmission timeout.
      if (first === CLIENT) this.push(OP.ACK, second, 0, this.answer(second));
      this.push(OP.FIN, first, finData, 200_000 + this.shape.rttUs * 2);
      facts.finRetransmissions++;
    }
    if (this.rng.chance(0.5)) {
      this.push(OP.FIN, second, 0, this.answer(second));
    } else {
      this.push(OP.ACK, second, 0, this.answer(second));
      this.push(OP.FIN, second, 0, second === SERVER ? this.serverThink() : this.rng.range(50, 5000));
    }
    this.push(OP.ACK, first, 0, this.answer(first));
  }

  private halfClose(facts: ScriptFacts): void {
    facts.initiator = CLIENT;
    this.push(OP.DATA, CLIENT, this.smallPayload(), this.backToBack());
    this.push(OP.FIN, CLIENT, 0, this.backToBack());
    this.push(OP.ACK, SERVER, 0, this.proc());
    this.response(this.rng.range(1, 6), true);
    this.push(OP.FIN, SERVER, 0, this.serverThink());
    this.push(OP.ACK, CLIENT, 0, this.rtt());
  }

  private simultaneous(facts: ScriptFacts): void {
    facts.initiator = CLIENT;
    this.push(OP.FIN, CLIENT, 0, this.clientThink());
    this.push(OP.FIN_STALE, SERVER, 0, 1 + this.rng.int(40));
    this.push(OP.ACK, SERVER, 0, this.proc());
    this.push(OP.ACK, CLIENT, 0, this.rtt());
  }

  /** Builds the script of one connection; returns what it contains besides its close kind. */
  build(shape: ConnectionShape): ScriptFacts {
    this.shape = shape;
    this.used = 0;
    const facts: ScriptFacts = { initiator: -1, keepaliveProbes: 0, finRetransmissions: 0 };
    const kind = shape.kind;
    if (kind === 'refused') {
      this.push(OP.SYN, CLIENT, 0, 0);
      this.push(OP.REFUSE, SERVER, 0, this.proc());
      facts.initiator = SERVER;
      return facts;
    }
    if (kind === 'synUnanswered') {
      const tries = this.rng.range(1, 3);
      for (let i = 0; i < tries; i++) this.push(OP.SYN, CLIENT, 0, i === 0 ? 0 : 1_000_000 << (i - 1));
      return facts;
    }
    if (!shape.midstream) this.handshake();
    if (kind === 'halfClose') {
      this.halfClose(facts);
      return facts;
    }
    this.exchanges();
    if (shape.keepalive) this.keepalives(facts);
    switch (kind) {
      case 'orderlyClientFirst':
        this.orderly(CLIENT, facts);
        break;
      case 'orderlyServerFirst':
        this.orderly(SERVER, facts);
        break;
      case 'simultaneousClose':
        this.simultaneous(facts);
        break;
      case 'closeWaitLeak': {
        const closer = this.rng.chance(0.7) ? CLIENT : SERVER;
        facts.initiator = closer;
        this.push(OP.FIN, closer, 0, closer === CLIENT ? this.clientThink() : this.serverThink());
        this.push(OP.ACK, 1 - closer, 0, this.answer(1 - closer));
        break;
      }
      case 'abortiveRst': {
        const resetter = this.rng.chance(0.5) ? CLIENT : SERVER;
        facts.initiator = resetter;
        this.push(OP.RST_ACK, resetter, 0, resetter === CLIENT ? this.clientThink() : this.serverThink());
        break;
      }
      case 'passiveRst': {
        // Typically the server closed an idle keep-alive connection and the client's next request hit it.
        const closer = this.rng.chance(0.8) ? SERVER : CLIENT;
        const other = 1 - closer;
        facts.initiator = closer;
        this.push(OP.FIN, closer, 0, closer === SERVER ? 1_000_000 + this.rng.int(4_000_000) : this.clientThink());
        this.push(OP.ACK, other, 0, this.answer(other));
        this.push(OP.DATA, other, this.smallPayload(), this.rng.range(1000, 500_000));
        this.push(OP.RST, closer, 0, this.answer(closer));
        break;
      }
      case 'openAtEnd':
        break;
    }
    return facts;
  }

  /**
   * An open connection of exactly `packets` steps (at least 4 with a handshake), to land the capture on
   * the requested packet count.
   */
  buildFiller(shape: ConnectionShape, packets: number): ScriptFacts {
    this.shape = shape;
    this.used = 0;
    if (packets < 4) {
      for (let i = 0; i < packets; i++) this.push(OP.SYN, CLIENT, 0, i === 0 ? 0 : 1_000_000 << (i - 1));
    } else {
      this.handshake();
      for (let i = 3; i < packets; i++) {
        const dir = i % 2 === 1 ? CLIENT : SERVER;
        this.push(OP.DATA, dir, this.smallPayload(), this.answer(dir));
      }
    }
    return { initiator: -1, keepaliveProbes: 0, finRetransmissions: 0 };
  }
}
