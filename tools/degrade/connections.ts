/**
 * Ties every frame of a capture to one of its manifest connections by endpoints (client ip:port and
 * server ip:port, never tshark stream numbers, which change when frames are dropped or reordered).
 */
import type { CapturedFrame } from './capture-model.js';
import type { ManifestConnection, Side } from './manifest.js';
import { tcpView, type TcpView } from './tcp-view.js';

export interface FrameFacts {
  frame: CapturedFrame;
  /** Index in the manifest's connections, or -1 for a frame of no listed connection (or not TCP). */
  connection: number;
  from: Side | null;
  tcp: TcpView | null;
}

const pairKey = (a: string, b: string): string => `${a} ${b}`;

export function frameFacts(frames: readonly CapturedFrame[], connections: readonly ManifestConnection[]): FrameFacts[] {
  const byPair = new Map<string, { index: number; from: Side }>();
  connections.forEach((c, index) => {
    byPair.set(pairKey(c.client, c.server), { index, from: 'client' });
    byPair.set(pairKey(c.server, c.client), { index, from: 'server' });
  });
  return frames.map((frame) => {
    const tcp = tcpView(frame.linkType, frame.data);
    const hit = tcp === null ? undefined : byPair.get(pairKey(tcp.src, tcp.dst));
    return { frame, connection: hit?.index ?? -1, from: hit?.from ?? null, tcp };
  });
}
