import { expect } from "@playwright/test";
import { hydrated, signIn, test } from "./fixtures";

// The foundation flow a customer clicks through: sign in through the (sandbox) Procore
// page, land in Project Central, switch company, page and search the project list.
test("sign in with Procore, switch company, page and search projects", async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Project Central" })).toBeVisible();
  await page.getByRole("link", { name: "Sign in with Procore" }).click();

  // The sandbox's Procore sign-in page.
  await expect(page).toHaveTitle(/Sign in to Procore/);
  await page.getByLabel("Email").fill("admin@summitridge.example");
  await page.getByLabel("Password").fill("sandbox-admin");
  await page.screenshot({ path: testInfo.outputPath("1-procore-sign-in.png"), fullPage: true });
  await page.getByRole("button", { name: "Sign in" }).click();

  // Back in Project Central with the first company (by name) and its projects.
  await expect(page).toHaveURL(/\/projects/);
  await hydrated(page);
  await expect(page.locator(".user-name")).toHaveText("Avery Admin");
  const switcher = page.getByLabel("Company");
  await expect(switcher.locator("option")).toHaveCount(2);
  await expect(page.locator("table.projects tbody tr")).toHaveCount(25);
  await expect(page.locator(".pager-status")).toContainText("projects");
  await page.screenshot({ path: testInfo.outputPath("2-project-central.png"), fullPage: true });

  // Switch to Summit Ridge Builders: 2,375 active projects (of 2,500), 95 pages of 25.
  await switcher.selectOption({ label: "Summit Ridge Builders" });
  await expect(page.locator(".pager-status")).toHaveText("Page 1 of 95 · 2375 projects");
  const firstRow = await page.locator("table.projects tbody tr").first().innerText();

  await page.getByRole("link", { name: "Next" }).click();
  await expect(page.locator(".pager-status")).toHaveText("Page 2 of 95 · 2375 projects");
  expect(await page.locator("table.projects tbody tr").first().innerText()).not.toEqual(firstRow);

  // Search narrows the list (server-side) and every row matches.
  await page.getByLabel("Search projects").fill("medical");
  await expect(page).toHaveURL(/q=medical/);
  await expect(page.locator(".pager-status")).not.toContainText("2375 projects");
  const names = await page.locator("table.projects tbody td.project-name").allInnerTexts();
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) expect(name.toLowerCase()).toContain("medical");
  await page.screenshot({ path: testInfo.outputPath("3-search.png"), fullPage: true });

  // A search with no match says so.
  await page.getByLabel("Search projects").fill("zzzz-no-such-project");
  await expect(page.getByText("No projects match your search.")).toBeVisible();

  // Sign out ends the session.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/projects");
  await expect(page.getByText("Sign in to continue")).toBeVisible();
  expect(errors).toEqual([]);
});

test("a replayed or forged sign-in callback gets a clear page, not a 500", async ({ page }) => {
  const response = await page.goto("/auth/procore/callback?code=abc&state=forged");
  expect(response?.status()).toBeLessThan(500);
  await expect(page.getByRole("heading", { name: "We could not sign you in" })).toBeVisible();
  await expect(page.locator(".auth-error-message")).toContainText("already used or has expired");
});

test("denying consent on Procore explains what happened", async ({ page }) => {
  await page.goto("/auth/procore/login");
  await expect(page).toHaveTitle(/Sign in to Procore/);
  await page.getByRole("button", { name: "Deny" }).click();
  await expect(page.locator(".auth-error-message")).toContainText("chose not to allow");
});

test("disconnect Procore: explained first, then a POST that ends the session", async ({ page }, testInfo) => {
  await signIn(page);
  await page.getByRole("link", { name: "Disconnect Procore" }).click();
  await expect(page).toHaveURL(/\/account\/disconnect$/);
  await expect(page.getByRole("heading", { name: "Disconnect Procore?" })).toBeVisible();
  await expect(page.locator(".disconnect")).toContainText("Background sync");
  await expect(page.locator(".disconnect")).toContainText("embedded view inside Procore");
  await expect(page.locator(".disconnect")).toContainText("Signing in with Procore again reconnects.");
  await page.screenshot({ path: testInfo.outputPath("disconnect-explained.png"), fullPage: true });

  // Cancel changes nothing.
  await page.getByRole("link", { name: "Cancel" }).click();
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.locator(".user-name")).toHaveText("Avery Admin");

  await page.goto("/account/disconnect");
  const posted = page.waitForRequest((r) => r.url().endsWith("/auth/procore/disconnect"));
  await page.getByRole("button", { name: "Disconnect Procore" }).click();
  expect((await posted).method()).toBe("POST");
  await expect(page).toHaveURL(/\/\?disconnected=1$/);
  await expect(page.getByRole("status")).toContainText("Procore is disconnected.");
  await page.screenshot({ path: testInfo.outputPath("disconnected-home.png"), fullPage: true });
  await page.goto("/projects");
  await expect(page.getByText("Sign in to continue")).toBeVisible();

  // Signing in again reconnects.
  await signIn(page);
  await expect(page.locator(".user-name")).toHaveText("Avery Admin");
});
