import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['suites/**/*.test.ts'],
    // Real-QEMU suites spawn processes; two at once is the machine's ceiling.
    maxWorkers: 2,
    // In-process tests. Real-QEMU suites (describeQemu) get QEMU_TEST_TIMEOUT_MS instead: their
    // time includes queueing for a machine-wide QEMU slot and QEMU start-ups on a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
