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
  // The Done words are Stripe's charge, and stay after the panel reloads until dismissed.
  const done = page.locator("#change-done");
  await expect(done).toContainText(/Done\. Safety is added now\. \$[\d,.]+ is charged/);
  await expect(done).not.toContainText("$0.00");
  await page.waitForTimeout(1000);
  await expect(done).toBeVisible();
  await page.locator("#dismiss-done").click();
  await expect(done).toHaveCount(0);

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
  // The Switch preview names the amount, and every preview can be cancelled.
  await page.locator("#switch-interval").click();
  await expect(page.locator("#change-preview")).toContainText(/at the yearly price, \$[\d,.]+ per year/);
  await page.locator("#cancel-change").click();
  await expect(page.locator("#change-preview")).toHaveCount(0);
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

// The words after a change are Stripe's numbers: the amount the Done message says was
// charged is the amount of the newest invoice on /billing, marked Paid, and names the
// project. A $0 add-on (Planner Board by default) is removed and added again without an
// error. Every button this page renders for the change is clicked.
test("money words equal Stripe's invoice, and a $0 add-on comes off and back on", async ({ page }, testInfo) => {
  const problems = await watchForProblems(page);
  await signIn(page);
  const name = await licenseOneProject(page);
  await page.locator(".tile", { has: page.locator(".tile-name", { hasText: name }) }).getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  await hydrated(page);

  // Add Safety: the preview's "today" amount, then the Done message's, then /billing's.
  await page.locator("#m-safety").check();
  await page.locator("#review-change").click();
  const preview = page.locator("#change-preview");
  await expect(preview).toContainText("Safety is added now.");
  const previewed = (await preview.innerText()).match(/(\$[\d,]+\.\d\d) is charged/)?.[1];
  expect(previewed, "the preview names what is charged today").toBeTruthy();
  await page.locator("#confirm-change").click();
  await expect(page.locator("#modules .badge.safety")).toHaveText("Safety");
  const done = page.locator("#change-done");
  await expect(done).toContainText(/is added now\. \$[\d,]+\.\d\d is charged/);
  const charged = (await done.innerText()).match(/(\$[\d,]+\.\d\d) is charged/)![1];
  expect(charged).not.toBe("$0.00");
  expect(charged).toBe(previewed);
  await expect(page.locator("#history")).toContainText(`${charged} is charged`);
  await expect(page.locator("#history")).not.toContainText("$0.00 is charged");
  await page.screenshot({ path: testInfo.outputPath("money-done.png"), fullPage: true });
  const projectUrl = page.url();

  await page.goto("/billing");
  await hydrated(page);
  const paid = page.locator("table.invoices tbody tr", { has: page.locator(".invoice-amount", { hasText: charged }) });
  await expect(paid.first()).toBeVisible();
  await expect(paid.first().locator(".status")).toHaveText("Paid");
  await expect(paid.first()).toContainText(name);

  // Planner Board costs $0: take it off and put it back, with no "Payments are unavailable".
  await page.goto(projectUrl);
  await hydrated(page);
  const board = page.locator("#m-planner-board");
  if (!(await board.isChecked())) {
    await board.check();
    await page.locator("#review-change").click();
    await expect(page.locator("#change-preview")).toContainText("Planner Board is added now, with nothing to pay today.");
    await page.locator("#confirm-change").click();
    await expect(page.locator("#modules .badge.addon", { hasText: "Planner Board" })).toBeVisible();
  }
  await board.uncheck();
  await page.locator("#review-change").click();
  await expect(page.locator("#change-preview")).toContainText("Planner Board stays until");
  await expect(page.getByText("Payments are unavailable")).toHaveCount(0);
  await page.locator("#confirm-change").click();
  await expect(page.locator("#modules .badge.addon", { hasText: "Planner Board" })).toContainText("stays until");
  await expect(page.getByText("Payments are unavailable")).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("free-add-on-removed.png"), fullPage: true });
  expect(problems).toEqual([]);
});
