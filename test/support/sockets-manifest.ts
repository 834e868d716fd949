import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * captures/sockets/manifest.json (scripts/captures/make-sockets.sh, sockets-manifest.mjs): captures of
 * real Linux sockets with `ss -tan` / `ss -tano` of every namespace taken right after the capture stopped.
 */
export const SOCKETS_DIR = join(import.meta.dirname, '..', '..', 'captures', 'sockets');

export interface SocketLine {
  state: string;
  ssState: string;
  local: string;
  peer: string;
  timer: { name: string; remainingSeconds: number; text: string } | null;
  listen?: true;
}

export interface SocketsNamespace {
  role: 'client' | 'server';
  addresses: string[];
  interface: string;
  sysctls: Record<string, string>;
  ssTan: string;
  ssTano: string;
  listening: string[];
  /** Sockets per closetrace state name as ss -tan printed them, LISTEN left out. */
  states: Record<string, number>;
  minTimerRemainingAtLastFrame: number | null;
  goneSockets: number;
  sockets: SocketLine[];
}

export interface SocketsRun {
  name: string;
  description: string;
  file: string;
  compressed: boolean;
  bytes: number;
  sha256: string;
  frames: number;
  tcpSegments: number;
  captureFilter: string;
  server: string;
  /** Epoch seconds with fraction, as text (pcap precision for frames, date +%s.%N for ss). */
  times: { firstFrame: string; lastFrame: string; ssStart: string; ssEnd: string; gapSeconds: number; captureSeconds: number };
  connections: {
    attempted: number;
    made: number;
    failed: number;
    failures: Record<string, number>;
    seenOnTheWire: number;
    shutdownClientPort?: number;
  };
  margins: { minTimerRemainingAtLastFrame: number | null; minSecondsPastFinTimeoutOfExpiredOrphans?: number };
  /** Options closetrace needs to model this run's hosts (a tcp_fin_timeout other than 60 s). */
  analyzeOptions?: { tcpFinTimeoutSeconds: number };
  namespaces: SocketsNamespace[];
  reuses?: { port: number; incarnation: number; outcome: string }[];
}

export interface SocketsManifest {
  generator: string;
  runs: SocketsRun[];
}

export function loadSocketsManifest(): SocketsManifest {
  return JSON.parse(readFileSync(join(SOCKETS_DIR, 'manifest.json'), 'utf8')) as SocketsManifest;
}
