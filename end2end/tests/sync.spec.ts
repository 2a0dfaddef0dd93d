import { expect } from "@playwright/test";
import * as fs from "node:fs";
import { expectNoAxeViolations, hydrated, licenseOneProject, signIn, watchForProblems, test } from "./fixtures";

// Procore settings and a Users sync in a real browser: license a project, open its
// settings, switch Procore ON, choose directions and frequencies, save and see when each
// syncs next; add a user on the Users page (a typing mistake first), press Sync and watch
// the progress bar (also from a second tab) until the result; read the log and download
// it as CSV. Procore answers slowly meanwhile, so the bar is there to be seen.

test("Procore settings, then a Users sync with progress, result, log and CSV", async ({ page, context }, testInfo) => {
  const problems = await watchForProblems(page);
  const procore = await signIn(page);
  const name = await licenseOneProject(page);

  // The project page links to its settings.
  const tile = page.locator(".tile", { has: page.locator(".tile-name", { hasText: name }) });
  await tile.getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  await hydrated(page);
  await page.locator("#project-settings").click();
  await expect(page).toHaveURL(/\/projects\/\d+\/settings$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
  // Licensed for Planner only: its section, not Safety's.
  await expect(page.getByRole("heading", { name: "Planner", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Safety", exact: true })).toHaveCount(0);
  await expect(page.locator("#procore-off")).toBeVisible();
  await expectNoAxeViolations(page);

  // Switch ON, choose, save: each resource says when it runs next.
  const toggle = page.getByRole("switch", { name: "Procore sync" });
  await toggle.check();
  await expect(page.locator("#sync-choices")).toBeVisible();
  await page.getByLabel("Direction for Users").selectOption("both");
  await page.getByLabel("Frequency for Users").selectOption("hourly");
  await page.getByLabel("Direction for Locations").selectOption("from_procore");
  await page.getByLabel("Frequency for Locations").selectOption("weekly");
  await page.getByLabel("Frequency for Project Team").selectOption("daily");
  await page.locator("#save-settings").click();
  await expect(page.locator("#save-result")).toHaveText("Saved.");
  for (const resource of ["locations", "companies", "users", "roles"]) {
    await expect(page.locator(`tr[data-resource=${resource}] .next-sync`)).toContainText(/Next sync: .* UTC|now/);
  }
  await expect(page.locator("#connection-name")).toContainText("Procore connection");
  await page.screenshot({ path: testInfo.outputPath("settings-saved.png"), fullPage: true });
  await expectNoAxeViolations(page);

  // Kept on the server: a reload shows the same choices.
  await page.reload();
  await hydrated(page);
  await expect(toggle).toBeChecked();
  await expect(page.getByLabel("Direction for Users")).toHaveValue("both");
  await expect(page.getByLabel("Frequency for Locations")).toHaveValue("weekly");

  // The Users page, from the Planner section's links.
  await page.getByRole("navigation", { name: "Planner: project data" }).getByRole("link", { name: "Users" }).click();
  await expect(page).toHaveURL(/\/projects\/\d+\/users$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Users");
  await expect(page.locator("#sync-schedule")).toContainText("Both · Hourly · Next sync:");
  await expectNoAxeViolations(page);

  // Add a user: the client's check catches the typing mistake, then it saves.
  const email = `erin.tester.${Date.now()}@summitridge.example`;
  await page.locator("#add-entry").click();
  const form = page.locator("#entry-form");
  await form.getByLabel("Email").fill("erin.tester");
  await form.getByLabel("Last name").fill("Tester");
  await form.locator("#save-entry").click();
  await expect(page.locator("#entry-problem")).toContainText("not an email address");
  await expectNoAxeViolations(page);
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("First name").fill("Erin");
  await form.getByLabel("Job title").fill("QA Lead");
  // Company is chosen from the project's companies in Procore, never typed (issue 20, item 16).
  const company = form.getByLabel("Company");
  expect(await company.evaluate((e) => e.tagName)).toBe("SELECT");
  await expect(company).toHaveValue("");
  await expect(form.locator("#hint-company")).toContainText(/Project Team/);
  await form.locator("#save-entry").click();
  await expect(page.locator("#directory-notice")).toHaveText("Saved Erin Tester.");
  await expect(page.locator("#entries")).toContainText(email);

  // Sync now, with Procore answering slowly so the progress is there to be seen.
  expect((await page.request.post(`${procore}/__sandbox/faults`, { data: { latency_ms: 400 } })).ok()).toBeTruthy();
  try {
    await page.locator("#sync-now").click();
    await expect(page.locator("#sync-progress")).toBeVisible();
    await expect(page.locator("#sync-now")).toBeDisabled();
    await page.locator("#sync-progress-box").screenshot({ path: testInfo.outputPath("sync-progress-start.png") });
    // The run lives on the server: a second tab shows it as well.
    const second = await context.newPage();
    await second.goto(page.url());
    await hydrated(second);
    await expect(second.locator("#sync-progress-box").or(second.locator("#sync-result"))).toBeVisible();
    await second.close();

    const seen: Array<{ value: number; max: number }> = [];
    let shot = false;
    await expect
      .poll(
        async () => {
          const now = await page.evaluate(() => {
            const bar = document.querySelector("#sync-progress");
            const result = document.querySelector("#sync-result");
            return {
              value: bar?.getAttribute("value") ?? null,
              max: bar?.getAttribute("max") ?? null,
              result: result?.getAttribute("data-state") ?? null,
            };
          });
          if (now.value !== null && now.max !== null) {
            seen.push({ value: Number(now.value), max: Number(now.max) });
            if (!shot && Number(now.value) > 0) {
              shot = true;
              await page.screenshot({ path: testInfo.outputPath("sync-progress.png"), fullPage: true });
            }
          }
          return now.result;
        },
        { timeout: 90_000, intervals: [250] },
      )
      .toBe("succeeded");
    // The bar only moves forward and never past its end.
    for (let i = 1; i < seen.length; i++) expect(seen[i].value).toBeGreaterThanOrEqual(seen[i - 1].value);
    for (const s of seen) expect(s.value).toBeLessThanOrEqual(s.max);
  } finally {
    await page.request.delete(`${procore}/__sandbox/faults`);
  }
  await expect(page.locator("#sync-counts")).toContainText(/\d+ created · \d+ updated · \d+ deleted · \d+ unchanged · \d+ failed/);
  await expect(page.locator("#sync-now")).toBeEnabled();
  // Sent to Procore (Both): the new user is linked now.
  await expect(page.locator("#entries tr", { hasText: email }).locator(".badge.in-procore")).toHaveText("In Procore");

  // The log: the run, its lines, and the CSV.
  const run = page.locator("#sync-runs tbody tr").first();
  await expect(run).toContainText("Manual");
  await run.getByRole("button", { name: /Show the log/ }).click();
  await expect(page.locator("#log-lines tbody tr").first()).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download-csv").click()]);
  const csv = fs.readFileSync(await download.path(), "utf8").trim().split(/\r?\n/);
  expect(csv[0]).toBe("time_utc,level,record,message");
  expect(csv.length).toBeGreaterThan(1);
  expect(csv[1]).toMatch(/^\d{4}-\d{2}-\d{2}T[^,]+,(info|warn|error),/);
  await page.screenshot({ path: testInfo.outputPath("sync-log.png"), fullPage: true });
  await expectNoAxeViolations(page);

  // Phone width: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath("sync-390.png"), fullPage: true });

  expect(problems).toEqual([]);
});

test("a directory page for an unknown section is not found", async ({ page }) => {
  await signIn(page);
  const response = await page.goto("/projects/1/history");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
