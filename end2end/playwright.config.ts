import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";

// The server under test: built by `scripts/build.sh`, started here with a fresh data
// folder and the built-in Procore sandbox. Never downloads a browser: Debian's Chromium.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), ".cache/project-central/target");
const dataDir = path.join(os.tmpdir(), `pc-e2e-${process.pid}`);

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL,
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "chromium", use: { browserName: "chromium" }, testIgnore: /(addons|billing|embedded|listing)\.spec\.ts/ },
    // addons.spec and embedded.spec license Summit Ridge projects (embedded.spec also
    // uninstalls/reinstalls Planner): after the specs that expect a company with nothing
    // licensed and no subscription yet (run alone: --project embedded --no-deps).
    { name: "embedded", use: { browserName: "chromium" }, testMatch: /(addons|embedded)\.spec\.ts/, dependencies: ["chromium"] },
    // billing.spec moves the Stripe sandbox's clock a month on (a failed renewal), which would
    // leave later Checkout Sessions out of date: it runs after every other spec.
    { name: "billing", use: { browserName: "chromium" }, testMatch: /billing\.spec\.ts/, dependencies: ["embedded"] },
    // listing.spec takes the Marketplace screenshots (licenses four more projects): last.
    // `make screenshots` runs it alone on a fresh server and writes docs/marketplace/.
    { name: "listing", use: { browserName: "chromium" }, testMatch: /listing\.spec\.ts/, dependencies: ["billing"] },
  ],
  webServer: {
    command: `${path.join(targetDir, "debug", "server")}`,
    cwd: "..",
    url: `${baseURL}/readyz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? "target/site",
      LEPTOS_OUTPUT_NAME: "project-central",
      LEPTOS_SITE_PKG_DIR: "pkg",
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite://${dataDir}/e2e.db?mode=rwc`,
      RUST_LOG: "info",
    },
  },
});
