import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import base from "../playwright.config";

// Benchmarks, not tests: `scripts/bench.sh` runs this. Same browser and server start-up as
// ../playwright.config.ts, on port 3200 with a fresh data folder. BENCH_PROFILE picks the
// server build: "release" (default; `scripts/build.sh --release --precompress` with
// LEPTOS_SITE_ROOT=target/bench-site, as scripts/bench.sh does) or "debug" (`scripts/build.sh`).
const port = Number(process.env.BENCH_PORT ?? 3200);
const baseURL = `http://127.0.0.1:${port}`;
const profile = process.env.BENCH_PROFILE ?? "release";
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), ".cache/project-central/target");
const siteRoot = process.env.BENCH_SITE_ROOT ?? (profile === "release" ? "target/bench-site" : "target/site");
// scripts/bench.sh passes a fresh folder it removes afterwards.
const dataDir = process.env.BENCH_DATA_DIR ?? path.join(os.tmpdir(), `pc-bench-${process.pid}`);
const server = Array.isArray(base.webServer) ? base.webServer[0] : base.webServer!;

export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: /.*\.bench\.ts$/,
  timeout: 15 * 60_000,
  outputDir: "../test-results/bench",
  use: { ...base.use, baseURL },
  webServer: {
    ...server,
    command: path.join(targetDir, profile, "server"),
    // Relative to this file: the repository root, as ../playwright.config.ts's "..".
    cwd: "../..",
    url: `${baseURL}/readyz`,
    env: {
      ...server.env,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: siteRoot,
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite://${dataDir}/bench.db?mode=rwc`,
      // tower-http logs each request's latency at debug: scripts/bench.sh summarises them.
      RUST_LOG: process.env.BENCH_RUST_LOG ?? "info,tower_http=debug",
      BENCH_PROFILE: profile,
    },
  },
});
