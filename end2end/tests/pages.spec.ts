import { expect, Page } from "@playwright/test";
import { expectNoAxeViolations, hydrated, signIn, watchForProblems, test } from "./fixtures";

// Every page: it hydrates with the Content-Security-Policy in force (no violation, no
// hydration warning), passes axe-core's WCAG 2.1 AA rules, and fits a 390 px wide screen
// (Procore's side panel is 400 px).

const policyOf = async (page: Page, path: string) => {
  const response = await page.goto(path);
  const policy = (await response?.allHeaders())?.["content-security-policy"] ?? "";
  expect(policy, path).toContain("script-src 'self' 'nonce-");
  expect(policy, path).not.toContain("unsafe-inline");
  return response;
};

test("every page hydrates under the CSP and passes axe", async ({ page }) => {
  const problems = await watchForProblems(page);

  await policyOf(page, "/");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Project Central" })).toBeVisible();
  await expectNoAxeViolations(page);

  await policyOf(page, "/auth/error?reason=state");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "We could not sign you in" })).toBeVisible();
  await expectNoAxeViolations(page);

  const missing = await policyOf(page, "/no-such-page");
  expect(missing?.status()).toBe(404);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expectNoAxeViolations(page);

  await signIn(page);
  await policyOf(page, "/projects");
  await hydrated(page);
  await expect(page.locator("table.projects tbody tr").first()).toBeVisible();
  await expectNoAxeViolations(page);

  await policyOf(page, "/licensing");
  await hydrated(page);
  const row = page.locator("table.wizard-grid tbody tr").first();
  await expect(row).toBeVisible();
  await expectNoAxeViolations(page);
  // The page works under the policy: a click goes through the hydrated handlers.
  await row.locator("td:nth-child(1) input").check();
  await row.locator("td:nth-child(2) input").check();
  await expect(page.locator(".summary-projects")).toHaveText("1");
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await expect(page.locator(".quote-total")).toBeVisible();
  await expectNoAxeViolations(page);

  await policyOf(page, "/account/disconnect");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Disconnect Procore?" })).toBeVisible();
  await expectNoAxeViolations(page);

  expect(problems).toEqual([]);
});

test("Project Central and the wizard fit a 390 px wide screen", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const fits = async (name: string) => {
    await page.screenshot({ path: testInfo.outputPath(name) });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${name}: page width`).toBeLessThanOrEqual(390);
  };
  await page.goto("/");
  await hydrated(page);
  await fits("narrow-0-home.png");
  await signIn(page);
  await expect(page.locator("table.projects tbody tr").first()).toBeVisible();
  await fits("narrow-1-projects.png");
  // The user's links share one line: "Sign out" is never alone on a line of its own.
  const top = async (name: string) => (await page.locator(".topbar-user").getByRole(name === "Sign out" ? "button" : "link", { name }).boundingBox())!.y;
  expect(Math.abs((await top("Sign out")) - (await top("Disconnect Procore")))).toBeLessThan(4);

  await page.goto("/licensing");
  await hydrated(page);
  const row = page.locator("table.wizard-grid tbody tr").first();
  await expect(row).toBeVisible();
  await row.locator("td:nth-child(1) input").check();
  await row.locator("td:nth-child(2) input").check();
  await fits("narrow-2-wizard.png");
  // The sticky summary bar leaves the list most of the screen (it covered 125 px).
  const bar = (await page.locator(".summary-bar").boundingBox())!;
  expect(bar.height, "summary bar height at 390 px").toBeLessThanOrEqual(90);
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await expect(page.locator(".quote-total")).toBeVisible();
  await fits("narrow-3-subscription.png");

  await page.goto("/account/disconnect");
  await hydrated(page);
  await fits("narrow-4-disconnect.png");
});

// Two client bundles (app/src/bundle.rs): the wizard's page loads only the wizard's WASM,
// every other page only the main one, and links between them work both ways.
test("each page loads one client bundle, and links cross between them", async ({ page }) => {
  const problems = await watchForProblems(page);
  // The WASM files requested (a page asks twice: its preload hint, then the loader).
  const wasm = new Set<string>();
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm")) wasm.add(path);
  });
  await signIn(page);
  wasm.clear();
  await page.goto("/projects");
  await hydrated(page);
  expect([...wasm]).toEqual(["/pkg/project-central.wasm"]);

  // A link followed on the client into the wizard loads the wizard's page and bundle.
  wasm.clear();
  await page.locator(".smartapp-projects .page-head").getByRole("link", { name: "License projects" }).click();
  await expect(page).toHaveURL(/\/licensing$/);
  await hydrated(page);
  const row = page.locator("table.wizard-grid tbody tr").first();
  await row.locator("td:nth-child(1) input").check();
  await expect(page.locator(".summary-projects")).toHaveText("1");
  expect([...wasm]).toEqual(["/pkg/project-central-wizard.wasm"]);

  // And back: the top bar's brand link leads to Project Central on the main bundle.
  wasm.clear();
  await page.locator("a.brand").click();
  await expect(page).toHaveURL(/\/projects$/);
  await hydrated(page);
  await expect(page.locator("table.projects tbody tr").first()).toBeVisible();
  expect([...wasm]).toEqual(["/pkg/project-central.wasm"]);

  // A link with a query (App Setup Instructions' "continue" link has one) keeps it.
  await page.evaluate(() => {
    const a = document.createElement("a");
    a.href = "/licensing?module=safety";
    a.textContent = "continue";
    document.querySelector("main")!.append(a);
    a.click();
  });
  await expect(page).toHaveURL(/\/licensing\?module=safety$/);
  await hydrated(page);
  await expect(page.locator("table.wizard-grid tbody tr").first()).toBeVisible();
  expect(problems).toEqual([]);
});
