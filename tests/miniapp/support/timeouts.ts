/**
 * How long tests wait, sized for a loaded 2-core machine (other suites, builds and databases running beside them).
 * Conditions are awaited (findBy*, waitFor) up to WAIT_TIMEOUT_MS and return as soon as they hold, so a generous value
 * costs nothing when the machine is idle.
 */
export const WAIT_TIMEOUT_MS = 20_000;
/** One test: several waits in a row, plus the first render loading Taro's H5 components. */
export const TEST_TIMEOUT_MS = 90_000;
