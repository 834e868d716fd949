/**
 * A direction-independent hash of a TCP 4-tuple computed from plain numbers: each endpoint is hashed on
 * its own and the two are combined with addition, so A->B and B->A land in the same bucket without
 * building a canonical string or key object per packet.
 */
export function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ w2, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ w3, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ port, 0x27d4eb2f);
  return h ^ (h >>> 15);
}

export function flowHash(ipVersion: number, sa0: number, sa1: number, sa2: number, sa3: number, sp: number, da0: number, da1: number, da2: number, da3: number, dp: number): number {
  let h = (endpointHash(sa0, sa1, sa2, sa3, sp) + endpointHash(da0, da1, da2, da3, dp) + ipVersion) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}
