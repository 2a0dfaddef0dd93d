import * as fs from "node:fs";
import { expect, Locator, Page } from "@playwright/test";
import { expectNoAxeViolations, hydrated, payMonthly, signIn, watchForProblems, test } from "./fixtures";

// Issue 21, add-ons that do something: the wizard says which Procore app each module needs;
// a project with Planner and Safety but no add-ons shows what Planner Board and Safety Badge
// would give (with the admin's way to add them) and refuses the badges PDF; a project with
// Safety Badge lists its synced users and downloads their badges as a PDF.

const cell = (row: Locator, column: number) => row.locator(`td:nth-child(${column}) input[type=checkbox]`);
const PROJECT = 1, PLANNER = 2, SAFETY = 4, BADGE = 5;

async function openProject(page: Page, name: string): Promise<number> {
  const tile = page.locator(".tile").filter({ has: page.locator(".tile-name", { hasText: name }) });
  await tile.getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  await hydrated(page);
  return Number(/\/projects\/(\d+)/.exec(page.url())?.[1]);
}

test("add-ons: the wizard's two-apps note, a project without add-ons, safety badges as a PDF", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const problems = await watchForProblems(page);
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(name), fullPage: true });
  await signIn(page);

  // The wizard names the app each module needs, and what each add-on gives.
  await page.goto("/licensing");
  await hydrated(page);
  const notes = page.locator("#module-notes");
  await expect(notes.locator("li[data-module=Planner]")).toContainText("Planner needs the Smartapp Planner app installed in this Procore company");
  await expect(notes.locator("li[data-module=Safety]")).toContainText("Safety needs the Smartapp Safety app installed in this Procore company");
  await expect(notes.locator("li[data-module=Safety]")).toContainText("Safety Badge: with it, every synced user of the project gets a printable safety badge");
  await expectNoAxeViolations(page);
  await shot("1-wizard-notes.png");

  const rows = page.locator("table.wizard-grid tbody tr:not(.licensed)");
  const [a, b] = [rows.nth(0), rows.nth(1)];
  const [plain, badged] = await Promise.all([a, b].map((r) => r.locator(".project-name").innerText()));
  await cell(a, PROJECT).check();
  await cell(a, PLANNER).check();
  await cell(a, SAFETY).check();
  await cell(b, PROJECT).check();
  await cell(b, SAFETY).check();
  await cell(b, BADGE).check();
  await payMonthly(page);

  // Planner and Safety without add-ons: the Plan Board and the badges say what they need.
  const plainId = await openProject(page, plain.trim());
  const missingBoard = page.locator("#planner-board-missing");
  await expect(missingBoard).toContainText("The Plan Board needs the Planner Board add-on.");
  await expect(missingBoard).toContainText("publish them read-only to the project's Smartapp view inside Procore");
  await expect(page.locator("#plan-title")).toHaveCount(0);
  await expect(page.locator("#publish-board")).toHaveCount(0);
  await expectNoAxeViolations(page);
  await shot("2-plan-board-needs-add-on.png");
  await page.locator("#planner-board-missing-add").click();
  await expect(page).toHaveURL(new RegExp(`/projects/${plainId}#manage-title$`));
  await expect(page.locator("#m-planner-board")).toBeVisible();
  await expect(page.locator("#m-planner-board")).not.toBeChecked();

  await page.locator("#project-badges").click();
  await expect(page).toHaveURL(new RegExp(`/projects/${plainId}/badges$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Safety badges");
  const missingBadge = page.locator("#safety-badge-missing");
  await expect(missingBadge).toContainText("Safety badges need the Safety Badge add-on.");
  await expect(page.locator("#download-badges")).toHaveCount(0);
  await expectNoAxeViolations(page);
  await shot("3-badges-need-add-on.png");
  const refused = await page.request.get(`/projects/${plainId}/badges/download.pdf`);
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toContain("Safety Badge add-on");
  await page.locator("#safety-badge-missing-add").click();
  await expect(page).toHaveURL(new RegExp(`/projects/${plainId}#manage-title$`));
  await hydrated(page);

  // Safety with Safety Badge: sync its users, then their badges.
  await page.goto("/projects");
  await hydrated(page);
  const badgedId = await openProject(page, badged.trim());
  await expect(page.locator("#plan-board-title")).toHaveCount(0);
  await page.locator("#project-settings").click();
  await hydrated(page);
  await page.getByRole("switch", { name: "Procore sync" }).check();
  await page.locator("#save-settings").click();
  await expect(page.locator("#save-result")).toHaveText("Saved.");
  await page.getByRole("navigation", { name: "Safety: project data" }).getByRole("link", { name: "Users" }).click();
  await expect(page).toHaveURL(/\/users$/);
  await hydrated(page);
  await page.locator("#sync-now").click();
  await expect(page.locator("#sync-result")).toHaveAttribute("data-state", "succeeded", { timeout: 90_000 });
  const synced = (await page.locator("#entries tbody th[scope=row]").allInnerTexts()).map((t) => t.trim().split("\n")[0]);
  expect(synced.length).toBeGreaterThan(0);

  await page.goto(`/projects/${badgedId}`);
  await hydrated(page);
  await page.locator("#project-badges").click();
  await expect(page).toHaveURL(new RegExp(`/projects/${badgedId}/badges$`));
  await hydrated(page);
  const list = page.locator("#badge-list tbody tr");
  await expect(list.first()).toBeVisible();
  const names = (await list.locator("td:nth-child(1)").allInnerTexts()).map((t) => t.trim());
  for (const name of synced) expect(names, `${name} has a badge`).toContain(name);
  await expect(page.locator("#badges-summary")).toContainText(`${names.length} ${names.length === 1 ? "person" : "people"}`);
  const numbers = (await list.locator("td.badge-number").allInnerTexts()).map((t) => t.trim());
  for (const n of numbers) expect(n).toMatch(/^SB-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  expect(new Set(numbers).size).toBe(numbers.length);
  await expectNoAxeViolations(page);
  await shot("4-badges.png");

  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download-badges").click()]);
  expect(download.suggestedFilename()).toBe(`safety-badges-${badgedId}.pdf`);
  const pdf = fs.readFileSync(await download.path());
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  const raw = pdf.toString("latin1");
  const pages = (raw.match(/\/Type \/Page\n/g) ?? []).length;
  expect(pages).toBe(Math.ceil(names.length / 8));
  for (const name of names.filter((n) => /^[\x20-\x7e]+$/.test(n) && !/[()\\]/.test(n))) expect(raw, `${name} in the PDF`).toContain(`(${name})`);
  for (const n of numbers) expect(raw).toContain(`(${n})`);
  fs.copyFileSync(await download.path(), testInfo.outputPath("badges.pdf"));
  expect(problems).toEqual([]);
});
