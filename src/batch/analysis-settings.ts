import { DEFAULT_MAX_CONNECTIONS } from '../flow/flow-assembler.js';
import { DEFAULT_SOCKET_SETTINGS, type SocketSettings } from '../sockets/socket-table.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../verdict/judge.js';

/**
 * The analysis knobs as plain data (they go to worker threads as is): everything of AnalyzeOptions that
 * changes verdicts, none of the callbacks.
 */
export interface AnalysisSettings {
  thresholds: Thresholds;
  maxConnections?: number;
  closeGraceSeconds?: number;
  sockets: SocketSettings;
  /** Zeek's `history` and `connState` in records (AnalyzeOptions.zeekHistory). */
  zeekHistory: boolean;
}

/** The socket-table options of analyze() (see AnalyzeOptions). */
export interface SocketOptions {
  sockets?: boolean;
  timeWaitSeconds?: number;
  tcpFinTimeoutSeconds?: number;
  orphanRetrySeconds?: number;
  synRetrySeconds?: number;
  synAckRetrySeconds?: number;
  portRange?: [number, number];
  timeWaitPressureShare?: number;
}

export function analysisSettings(
  options: {
    slowCloseSeconds?: number;
    finAckTimeoutSeconds?: number;
    maxConnections?: number;
    closeGraceSeconds?: number;
    zeekHistory?: boolean;
  } & SocketOptions,
): AnalysisSettings {
  const timers = DEFAULT_SOCKET_SETTINGS.timers;
  return {
    thresholds: {
      slowCloseSeconds: options.slowCloseSeconds ?? DEFAULT_THRESHOLDS.slowCloseSeconds,
      finAckTimeoutSeconds: options.finAckTimeoutSeconds ?? DEFAULT_THRESHOLDS.finAckTimeoutSeconds,
    },
    maxConnections: options.maxConnections,
    closeGraceSeconds: options.closeGraceSeconds,
    zeekHistory: options.zeekHistory ?? true,
    sockets: {
      timers: {
        timeWaitSeconds: options.timeWaitSeconds ?? timers.timeWaitSeconds,
        tcpFinTimeoutSeconds: options.tcpFinTimeoutSeconds ?? timers.tcpFinTimeoutSeconds,
        orphanRetrySeconds: options.orphanRetrySeconds ?? timers.orphanRetrySeconds,
        synRetrySeconds: options.synRetrySeconds ?? timers.synRetrySeconds,
        synAckRetrySeconds: options.synAckRetrySeconds ?? timers.synAckRetrySeconds,
      },
      list: options.sockets ?? false,
      portRange: options.portRange ?? DEFAULT_SOCKET_SETTINGS.portRange,
      pressureShare: options.timeWaitPressureShare ?? DEFAULT_SOCKET_SETTINGS.pressureShare,
      // Two sockets per connection the flow table may hold: memory follows --max-connections.
      maxSockets: 2 * (options.maxConnections ?? DEFAULT_MAX_CONNECTIONS),
    },
  };
}
