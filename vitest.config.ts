import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		// Guards, not measures: on a loaded machine (CI beside another run) the suites that start
		// processes and servers take several times longer; nothing asserts speed by a timeout.
		testTimeout: 120_000,
		hookTimeout: 60_000,
		pool: "forks",
		// Two cores here: integration suites start brokers, stores and browsers of their own.
		maxWorkers: 2,
	},
});
