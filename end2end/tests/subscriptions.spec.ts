import { expect, Page, test } from "@playwright/test";
import { expectNoAxeViolations, hydrated, signIn, watchForProblems } from "./fixtures";

// Manage Subscription in a real browser: license a project (Checkout the first time, the
// card on file once the company has a monthly subscription), open its page, add Safety
// with Stripe's preview, see the new badge; remove it (kept until the period end), undo.

/// Licenses the last not-licensed project of the current company for Planner (monthly)
/// and returns its name.
async function licenseOneProject(page: Page): Promise<string> {
  await page.goto("/licensing");
  await hydrated(page);
  const rows = page.locator("table.wizard-grid tbody tr");
  await expect(rows.first()).toBeVisible();
  const row = rows.last();
  const name = await row.locator(".project-name").innerText();
  await row.locator("td").nth(0).locator("input[type=checkbox]").check();
  await row.locator("td").nth(1).locator("input[type=checkbox]").check();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByRole("radio", { name: /Monthly/ }).check();
  // The company's monthly subscription may exist already (earlier specs): then Confirm.
  const confirm = page.locator("#confirm-purchase");
  const checkout = page.getByRole("button", { name: "Checkout" });
  await expect(confirm.or(checkout)).toBeVisible();
  await page.waitForTimeout(500);
  if (await confirm.isVisible()) {
    await expect(page.locator("#due-now")).toContainText("$");
    await confirm.click();
  } else {
    await checkout.click();
    await page.getByLabel("Email").fill("ap@summitridge.example");
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
    await page.getByLabel("CVC").fill("123");
    await page.getByRole("button", { name: "Subscribe" }).click();
  }
  await expect(page).toHaveURL(/\/projects/);
  await hydrated(page);
  return name;
}

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
