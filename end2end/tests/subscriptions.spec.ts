import { expect } from "@playwright/test";
import { expectNoAxeViolations, hydrated, licenseOneProject, signIn, watchForProblems, test } from "./fixtures";

// Manage Subscription in a real browser: license a project (Checkout the first time, the
// card on file once the company has a monthly subscription), open its page, add Safety
// with Stripe's preview, see the new badge; remove it (kept until the period end), undo.

test("manage a project's subscription: add Safety with the preview, remove it, undo", async ({ page }, testInfo) => {
  const problems = await watchForProblems(page);
  await signIn(page);
  const name = await licenseOneProject(page);
  const tile = page.locator(".tile", { has: page.locator(".tile-name", { hasText: name }) });
  await expect(tile).toHaveCount(1);
  await tile.getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.locator("#standing")).toHaveText("Active");
  await expectNoAxeViolations(page);

  // Add Safety: Stripe's preview first, then Confirm, then the badge.
  await page.locator("#m-safety").check();
  await page.locator("#review-change").click();
  const preview = page.locator("#change-preview");
  await expect(preview).toContainText("Safety is added now.");
  await expect(preview).toContainText(/\$\d/);
  await page.screenshot({ path: testInfo.outputPath("add-safety-preview.png"), fullPage: true });
  await page.locator("#confirm-change").click();
  await expect(page.locator("#modules .badge.safety")).toHaveText("Safety");
  await expect(page.locator("#history")).toContainText("Safety is added now.");

  // Remove it: kept until the period ends; then undo.
  await page.locator("#m-safety").uncheck();
  await page.locator("#review-change").click();
  await expect(page.locator("#change-preview")).toContainText("Safety stays until");
  await page.locator("#confirm-change").click();
  await expect(page.locator("#modules .badge.safety")).toContainText("stays until");
  await page.locator("#undo-change").click();
  await expect(page.locator("#change-preview")).toContainText("taken back");
  await page.locator("#confirm-change").click();
  await expect(page.locator("#modules .badge.safety")).toHaveText("Safety");
  await page.screenshot({ path: testInfo.outputPath("project-page.png"), fullPage: true });
  await expectNoAxeViolations(page);

  // The dense list on Project Central shows it too.
  await page.goto("/projects");
  await hydrated(page);
  await page.locator("#dense-list").click();
  await expect(page.locator("#subscribed-list")).toContainText(name);
  await expectNoAxeViolations(page);
  expect(problems).toEqual([]);
});
