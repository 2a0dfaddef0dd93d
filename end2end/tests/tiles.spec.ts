import { expect, Locator, Page } from "@playwright/test";
import { expectNoAxeViolations, hydrated, payMonthly, signIn, test, watchForProblems } from "./fixtures";

// Project Central with more licensed projects than one page of tiles holds (24): an admin
// licenses 48 projects of "Scale Test 100" in the wizard, then pages through the tiles with
// Next and Previous and finds exactly the projects licensed, each once.

const cell = (row: Locator, column: number) => row.locator(`td:nth-child(${column}) input[type=checkbox]`);
const PROJECT = 1, PLANNER = 2;
const LICENSED = 48;

const tileNames = (page: Page) => page.locator(".smartapp-projects ul.tiles .tile-name").allInnerTexts();

test("Project Central pages through 48 licensed projects with Next and Previous", async ({ page }, testInfo) => {
  const problems = await watchForProblems(page);
  await signIn(page, "bench@scale.example", "sandbox-bench");
  const switcher = page.getByLabel("Company");
  const current = await switcher.locator("option:checked").innerText();
  if (current.trim() !== "Scale Test 100") {
    await switcher.selectOption({ label: "Scale Test 100" });
    await expect(switcher.locator("option:checked")).toHaveText("Scale Test 100");
    await page.reload();
    await hydrated(page);
  }

  await page.goto("/licensing");
  await hydrated(page);
  const rows = page.locator("table.wizard-grid tbody tr");
  await expect(rows).toHaveCount(50);
  const chosen: string[] = [];
  for (let i = 0; i < LICENSED; i++) {
    const row = rows.nth(i);
    chosen.push((await row.locator(".project-name").innerText()).trim());
    await cell(row, PROJECT).check();
    await cell(row, PLANNER).check();
  }
  await expect(page.locator(".summary-projects")).toHaveText(String(LICENSED));
  await payMonthly(page);
  await expect(page.getByText(`Payment received: ${LICENSED} projects licensed.`)).toBeVisible();

  const tiles = page.locator(".smartapp-projects");
  const status = tiles.locator(".pager-status");
  const next = tiles.getByRole("button", { name: "Next", exact: true });
  const previous = tiles.getByRole("button", { name: "Previous", exact: true });
  await expect(status).toHaveText(`Page 1 of 2 · ${LICENSED} projects`);
  await expect(next).toBeEnabled();
  await expect(previous).toBeDisabled();
  await expect(next).toHaveText("Next");
  await expect(tiles.locator("ul.tiles > li")).toHaveCount(24);
  const first = await tileNames(page);
  await page.screenshot({ path: testInfo.outputPath("tiles-page-1.png"), fullPage: true });
  await expectNoAxeViolations(page);

  await next.click();
  await expect(status).toHaveText(`Page 2 of 2 · ${LICENSED} projects`);
  await expect(next).toBeDisabled();
  await expect(previous).toBeEnabled();
  await expect(tiles.locator("ul.tiles > li")).toHaveCount(24);
  const second = await tileNames(page);
  await page.screenshot({ path: testInfo.outputPath("tiles-page-2.png"), fullPage: true });

  // Every licensed project once, on one page or the other, and nothing else.
  const seen = [...first, ...second].map((n) => n.trim());
  expect(new Set(seen).size, "no project on both pages").toBe(LICENSED);
  expect([...seen].sort()).toEqual([...chosen].sort());

  await previous.click();
  await expect(status).toHaveText(`Page 1 of 2 · ${LICENSED} projects`);
  expect(await tileNames(page)).toEqual(first);
  expect(problems).toEqual([]);
});
