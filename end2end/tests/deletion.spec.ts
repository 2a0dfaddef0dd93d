import { expect } from "@playwright/test";
import { expectNoAxeViolations, hydrated, licenseOneProject, signIn, test, watchForProblems } from "./fixtures";

// Deleting a company's data (issue 21), in "Scale Test 10k" (no other spec licenses there):
// with nothing live the page offers immediate deletion (a wrong name is refused); with a
// renewing subscription it refuses and says why; once the project is ended (End
// subscription), it offers to schedule the deletion for the day the subscription ends — the
// date the project page shows — and says "Your data will be deleted on DATE" with Cancel
// scheduled deletion. Nothing is deleted: the date is a month away. The footer is checked
// on every page visited (configured contacts or the marked placeholders).

const COMPANY = "Scale Test 10k";

test("deletion page: immediate, refused, scheduled for the period end, cancelled", async ({ page }, testInfo) => {
  const problems = await watchForProblems(page);
  await signIn(page, "bench@scale.example", "sandbox-bench");
  const switcher = page.getByLabel("Company");
  if ((await switcher.locator("option:checked").innerText()).trim() !== COMPANY) {
    await switcher.selectOption({ label: COMPANY });
    await expect(switcher.locator("option:checked")).toHaveText(COMPANY);
  }
  const footer = page.locator("#site-footer");
  const checkFooter = async () => {
    await expect(footer.locator("#footer-support")).toHaveAttribute("href", /^mailto:[^@\s]+@[^@\s]+\.[a-z]+$/);
    const email = (await footer.locator("#footer-support").getAttribute("href"))!.slice("mailto:".length);
    await expect(footer.locator("#footer-support")).toHaveText(`Support: ${email}`);
    for (const [id, name] of [["#footer-help", "Help"], ["#footer-privacy", "Privacy"], ["#footer-terms", "Terms"]]) {
      await expect(footer.locator(id)).toHaveText(name);
      await expect(footer.locator(id)).toHaveAttribute("href", /^https?:\/\/[^/]+/);
    }
  };
  await checkFooter();
  await expectNoAxeViolations(page, "#site-footer");

  // Nothing live: immediate deletion; a wrong name is refused (nothing is deleted).
  await page.goto("/account/delete-data");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Delete this company's data" })).toBeVisible();
  await expect(page.getByText("This company has no live subscription, so the data is deleted at once.")).toBeVisible();
  await page.getByLabel(`Type the company name (${COMPANY}) to confirm`).fill("Scale Test");
  await page.getByRole("button", { name: "Delete all data" }).click();
  await expect(page.locator("#deletion-problem")).toContainText(`Type the company name exactly as shown (${COMPANY}) to confirm.`);
  await checkFooter();
  await expectNoAxeViolations(page);

  // A renewing subscription: refused, with the way out.
  const name = await licenseOneProject(page);
  await page.goto("/account/delete-data");
  await hydrated(page);
  await expect(page.locator("#deletion-refused")).toContainText(`1 subscription(s) of ${COMPANY} still renew`);
  await expect(page.locator("#deletion-refused")).toContainText("Manage Subscription → End subscription");
  await expect(page.getByRole("button", { name: "Delete all data" })).toHaveCount(0);
  await expectNoAxeViolations(page);

  // End the project's subscription; its page says when it ends.
  await page.goto("/projects");
  await hydrated(page);
  await page.locator(".tile", { has: page.locator(".tile-name", { hasText: name }) }).getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  await hydrated(page);
  await page.locator("#end-subscription").click();
  await expect(page.locator("#change-preview")).toBeVisible();
  await page.locator("#confirm-change").click();
  await expect(page.locator("#standing")).toHaveText(/^Ends on \d{1,2} [A-Z][a-z]{2} \d{4}$/);
  const ends = (await page.locator("#standing").innerText()).replace("Ends on ", "").trim();

  // Every subscription ends: the deletion can be scheduled for that day.
  await page.goto("/account/delete-data");
  await hydrated(page);
  await expect(page.locator("#deletion-when")).toContainText(`the last one ends on ${ends}`);
  const scheduleButton = page.getByRole("button", { name: `Schedule deletion for ${ends}` });
  await expect(scheduleButton).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel(`Type the company name (${COMPANY}) to confirm`).fill(COMPANY);
  await scheduleButton.click();
  const scheduled = page.locator("#deletion-scheduled");
  await expect(scheduled).toContainText(`Your data will be deleted on ${ends}.`);
  await page.screenshot({ path: testInfo.outputPath("deletion-scheduled.png"), fullPage: true });
  await expectNoAxeViolations(page);
  // It survives a reload (it is stored), then is cancelled.
  await page.reload();
  await hydrated(page);
  await expect(scheduled).toContainText(`Your data will be deleted on ${ends}.`);
  await page.getByRole("button", { name: "Cancel scheduled deletion" }).click();
  await expect(scheduled).toHaveCount(0);
  await expect(page.getByRole("button", { name: `Schedule deletion for ${ends}` })).toBeVisible();
  await checkFooter();
  await expectNoAxeViolations(page);

  // The data is still here.
  await page.goto("/projects");
  await hydrated(page);
  await expect(page.locator(".tile-name", { hasText: name })).toHaveCount(1);
  expect(problems).toEqual([]);
});
