import type { ConnectionSnapshot } from '../track/connection-view.js';

/**
 * Which flow direction is the client: the SYN sender, else the receiver of a SYN/ACK, else a guess from
 * the ports (returned with `inferred`): a well-known port (< 1024) is the server's; otherwise the side
 * in the ephemeral range (>= 32768, Linux and IANA) is the client's; otherwise the lower port serves.
 * Answers the direction, with ROLE_INFERRED set for a guess.
 */
export function clientDirection(conn: ConnectionSnapshot, aPort: number, bPort: number): number {
  if (conn.synFrom >= 0) return conn.synFrom;
  if (conn.synAckFrom >= 0) return conn.synAckFrom ^ 1;
  return (serverByPorts(aPort, bPort) ^ 1) | ROLE_INFERRED;
}

/** Set in clientDirection()'s answer when the roles were guessed from the ports (no handshake seen). */
export const ROLE_INFERRED = 2;

function serverByPorts(aPort: number, bPort: number): number {
  const aWellKnown = aPort < 1024;
  const bWellKnown = bPort < 1024;
  if (aWellKnown !== bWellKnown) return aWellKnown ? 0 : 1;
  const aEphemeral = aPort >= 32768;
  const bEphemeral = bPort >= 32768;
  if (aEphemeral !== bEphemeral) return aEphemeral ? 1 : 0;
  return aPort <= bPort ? 0 : 1;
}
