/**
 * Exit codes, documented in README: 0 clean, 1 findings matched --fail-on, 2 bad input or usage; an
 * interrupted run exits 130 (SIGINT) or 143 (SIGTERM), 128 + the signal number, as shells report a
 * command a signal ended (see interrupts.ts).
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_BAD_INPUT = 2;
