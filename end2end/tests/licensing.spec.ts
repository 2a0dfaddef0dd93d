import { expect, Locator, Page } from "@playwright/test";
import { expectNoAxeViolations, hydrated, signIn, watchForProblems, test } from "./fixtures";

// The licensing flow an admin clicks through: pick projects and modules under the gating
// rules, see the summary, choose yearly or monthly, pay on the (sandbox) Stripe page, land
// in Project Central with the new tiles, and find them under the Licensed filter.

const cell = (row: Locator, column: number) => row.locator(`td:nth-child(${column}) input[type=checkbox]`);
const PROJECT = 1, PLANNER = 2, BOARD = 3, SAFETY = 4, BADGE = 5;

test("license projects: gating, summary, quote, Stripe payment, tiles and filters", async ({ page }, testInfo) => {
  const problems = await watchForProblems(page);
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(name), fullPage: true });

  await signIn(page);
  await expect(page.getByText("No Smartapp projects yet")).toBeVisible();
  await page.getByRole("link", { name: "License projects" }).click();
  await expect(page).toHaveURL(/\/licensing/);
  await expect(page.locator(".pager-status")).toHaveText("Page 1 of 48 · 2375 projects");
  await expectNoAxeViolations(page);

  const rows = page.locator("table.wizard-grid tbody tr");
  const [a, b, c, d] = [rows.nth(0), rows.nth(1), rows.nth(2), rows.nth(3)];
  const names = await Promise.all([a, b, c].map((r) => r.locator(".project-name").innerText()));

  // Gating: modules wait for the project; add-ons wait for their module.
  await expect(cell(a, PLANNER)).toBeDisabled();
  await expect(cell(a, SAFETY)).toBeDisabled();
  await cell(a, PROJECT).check();
  await expect(cell(a, PLANNER)).toBeEnabled();
  await expect(cell(a, BOARD)).toBeDisabled();
  await expect(cell(a, BADGE)).toBeDisabled();
  await cell(a, PLANNER).check();
  await expect(cell(a, BOARD)).toBeEnabled();
  await expect(cell(a, BADGE)).toBeDisabled();
  await cell(a, BOARD).check();
  // Unchecking the module clears its add-on; checking again does not bring it back.
  await cell(a, PLANNER).uncheck();
  await expect(cell(a, BOARD)).not.toBeChecked();
  await expect(cell(a, BOARD)).toBeDisabled();
  await cell(a, PLANNER).check();
  await cell(a, BOARD).check();

  // Keyboard: tab to the checkbox and press space.
  await cell(b, PROJECT).focus();
  await page.keyboard.press("Space");
  await expect(cell(b, PROJECT)).toBeChecked();
  await cell(b, SAFETY).check();
  await cell(b, BADGE).check();
  await cell(c, PROJECT).check();
  await cell(c, PLANNER).check();
  await cell(c, SAFETY).check();

  // A selected project without a module blocks Next with an inline message.
  await cell(d, PROJECT).check();
  await expect(page.locator(".summary-projects")).toHaveText("4");
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await expect(page.locator(".inline-problem").first()).toContainText("Choose Planner or Safety");
  await shot("1-wizard-gating.png");
  await cell(d, PROJECT).uncheck();
  await expect(page.locator(".inline-problem").first()).toHaveText("");

  await expect(page.locator(".summary-projects")).toHaveText("3");
  await expect(page.locator(".summary-planner")).toHaveText("2");
  await expect(page.locator(".summary-safety")).toHaveText("2");

  // Subscription step: yearly by default ($2,950 and $5,950 per project per year).
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Subscription" })).toBeVisible();
  await expect(page.getByRole("radio", { name: /Yearly/ })).toBeChecked();
  await expect(page.locator(".quote-total")).toHaveText("$17,800.00");
  await expect(page.locator(".quote-saving")).toHaveText("$3,560.00");
  await expect(page.locator(".quote-due")).toHaveText("$17,800.00");
  await shot("2-subscription-yearly.png");
  await expectNoAxeViolations(page);
  await page.getByRole("radio", { name: /Monthly/ }).check();
  await expect(page.locator(".quote-total")).toHaveText("$1,780.00");
  await expect(page.locator(".quote-saving")).toHaveCount(0);
  await shot("3-subscription-monthly.png");

  // Back keeps the selection.
  await page.getByRole("button", { name: "Back" }).click();
  await expect(page.locator(".summary-projects")).toHaveText("3");
  await expect(cell(c, SAFETY)).toBeChecked();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByRole("radio", { name: /Yearly/ }).check();

  // Stripe Checkout (sandbox): a declined card first, then a good one.
  await page.getByRole("button", { name: "Checkout" }).click();
  await expect(page.getByRole("button", { name: "Subscribe" })).toBeVisible();
  await expect(page.locator("body")).toContainText("$17,800.00");
  await page.getByLabel("Email").fill("ap@harborpoint.example");
  await page.getByLabel("Card number").fill("4000 0000 0000 0002");
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Subscribe" }).click();
  await expect(page.locator("body")).toContainText("Your card was declined.");
  await shot("4-stripe-declined.png");
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Subscribe" }).click();

  // Back in Project Central: the tiles carry the Procore names and their modules.
  await expect(page).toHaveURL(/\/projects\?checkout_session=cs_/);
  await expect(page.getByText("Payment received: 3 projects licensed.")).toBeVisible();
  await expect(page.getByText("No Smartapp projects yet")).toHaveCount(0);
  const tiles = page.locator(".tile");
  await expect(tiles).toHaveCount(3);
  const tile = (name: string) => tiles.filter({ has: page.locator(".tile-name", { hasText: name }) });
  await expect(tile(names[0]).locator(".badge")).toHaveText(["Planner", "Planner Board"]);
  await expect(tile(names[1]).locator(".badge")).toHaveText(["Safety", "Safety Badge"]);
  await expect(tile(names[2]).locator(".badge")).toHaveText(["Planner", "Safety"]);
  await shot("5-project-central-tiles.png");

  // Later visits: licensed projects are under Licensed, narrowed by module.
  await page.getByRole("link", { name: "License projects" }).click();
  await hydrated(page);
  await expect(page.locator(".pager-status")).toHaveText("Page 1 of 48 · 2372 projects");
  // Both groups are visible as sections: the three just bought under Licensed, above the
  // projects still to license under Not Licensed.
  const section = page.locator("#licensed-section");
  await expect(section.getByRole("heading", { level: 2 })).toHaveText("Licensed");
  await expect(section).toContainText("3 projects licensed.");
  const licensedNames = section.locator("tbody tr .project-name");
  await expect(licensedNames).toHaveCount(3);
  expect([...(await licensedNames.allInnerTexts())].sort()).toEqual([...names].sort());
  await expect(section.locator("#show-all-licensed")).toHaveCount(0);
  await expect(page.getByRole("heading", { level: 2, name: "Not Licensed" })).toBeVisible();
  await expectNoAxeViolations(page);
  await shot("5b-licensed-and-not-licensed.png");
  await page.getByRole("button", { name: "Licensed", exact: true }).click();
  await expect(section).toHaveCount(0);
  await expect(rows).toHaveCount(3);
  await page.getByRole("button", { name: "Planner", exact: true }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator(".project-name")).toHaveText(names[0]);
  await page.getByRole("button", { name: "Safety", exact: true }).click();
  await expect(rows.first().locator(".project-name")).toHaveText(names[1]);
  await page.getByRole("button", { name: "Both", exact: true }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator(".project-name")).toHaveText(names[2]);

  // A licensed project is not editable here: a toast points to Manage Subscription.
  await cell(rows.first(), SAFETY).click();
  await expect(cell(rows.first(), SAFETY)).toBeChecked();
  const toast = page.locator(".toast");
  await expect(toast).toContainText("Manage Subscription");
  await shot("6-licensed-toast.png");
  await expect(toast.getByRole("link", { name: "Open Manage Subscription" })).toHaveAttribute("href", /^\/projects\/\d+$/);
  expect(problems).toEqual([]);
});

test("cancelled checkout returns to the subscription step with the selection intact", async ({ page }) => {
  await signIn(page);
  await page.goto("/licensing");
  await hydrated(page);
  const rows = page.locator("table.wizard-grid tbody tr");
  await expect(rows.first()).toBeVisible();
  const row = rows.last();
  await cell(row, PROJECT).check();
  await cell(row, SAFETY).check();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByRole("radio", { name: /Monthly/ }).check();
  await page.getByRole("button", { name: "Checkout" }).click();
  await expect(page.getByRole("button", { name: "Subscribe" })).toBeVisible();
  await page.getByRole("link", { name: /Back/ }).click();
  await expect(page).toHaveURL(/\/licensing\?order=/);
  await expect(page.getByRole("heading", { name: "Subscription" })).toBeVisible();
  await expect(page.getByRole("radio", { name: /Monthly/ })).toBeChecked();
  await expect(page.locator(".quote-total")).toHaveText("$595.00");
});

// Stripe's return page: the payment is confirmed by a POST from the hydrated page, and the
// banner and the tiles come from the same reconciled state without a reload, whether
// Stripe's webhooks reach us before the browser comes back or not until after.

/// Signs in, works in Harbor Point (33 active projects), and returns how many tiles it has.
async function harborPoint(page: Page) {
  await signIn(page);
  await page.getByLabel("Company").selectOption({ label: "Harbor Point Construction" });
  await expect(page.locator(".pager-status")).toContainText("· 33 projects");
  await page.goto("/projects");
  await hydrated(page);
  await expect(page.locator(".smartapp-projects .panel, .smartapp-projects .tiles").first()).toBeVisible();
  return page.locator(".tile").count();
}

/// Signs in, works in Summit Ridge (the admin's first company), and returns how many tiles it has.
async function summitRidge(page: Page) {
  await signIn(page);
  await page.goto("/projects");
  await hydrated(page);
  await expect(page.locator(".smartapp-projects .panel, .smartapp-projects .tiles").first()).toBeVisible();
  return page.locator(".tile").count();
}

/// Planner for the first two not-licensed projects, up to Stripe's page; returns their names
/// and the Stripe sandbox's origin. The interval must be one the company has no subscription
/// of yet (otherwise the wizard adds to it with Confirm, without Checkout).
async function checkoutTwoProjects(page: Page, interval: "Yearly" | "Monthly" = "Yearly") {
  await page.goto("/licensing");
  await hydrated(page);
  const rows = page.locator("table.wizard-grid tbody tr");
  await expect(rows.first()).toBeVisible();
  const names: string[] = [];
  for (const row of [rows.nth(0), rows.nth(1)]) {
    names.push(await row.locator(".project-name").innerText());
    await cell(row, PROJECT).check();
    await cell(row, PLANNER).check();
  }
  await page.getByRole("button", { name: "Next", exact: true }).click();
  await page.getByRole("radio", { name: new RegExp(interval) }).check();
  await page.getByRole("button", { name: "Checkout" }).click();
  await expect(page.getByRole("button", { name: "Subscribe" })).toBeVisible();
  return { names, stripe: new URL(page.url()).origin };
}

async function payWithTestCard(page: Page) {
  await page.getByLabel("Email").fill("ap@harborpoint.example");
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Subscribe" }).click();
}

/// The return page agrees with itself: the banner, and the new tiles beside the old ones.
async function expectBannerAndTilesAgree(page: Page, names: string[], tilesBefore: number) {
  await expect(page.getByText("Payment received: 2 projects licensed.")).toBeVisible();
  await expect(page.getByText("No Smartapp projects yet")).toHaveCount(0);
  await expect(page.getByText("Confirming your payment…")).toHaveCount(0);
  const tiles = page.locator(".tile");
  await expect(tiles).toHaveCount(tilesBefore + 2);
  for (const name of names) {
    await expect(tiles.filter({ has: page.locator(".tile-name", { hasText: name }) })).toHaveCount(1);
  }
}

test("return page: webhooks delivered before the browser comes back", async ({ page }, testInfo) => {
  const problems = await watchForProblems(page);
  const before = await harborPoint(page);
  const { names } = await checkoutTwoProjects(page);
  // Hold the browser's return until the webhooks have licensed the projects.
  await page.route(/\/projects\?checkout_session=/, async (route) => {
    await expect
      .poll(async () => (await (await page.request.post("/api/licensed_tiles")).json()).length, { timeout: 20_000 })
      .toBe(before + 2);
    await route.continue();
  });
  await payWithTestCard(page);
  await expect(page).toHaveURL(/\/projects\?checkout_session=cs_/);
  await expectBannerAndTilesAgree(page, names, before);
  await page.screenshot({ path: testInfo.outputPath("return-webhook-first.png"), fullPage: true });
  expect(problems).toEqual([]);
});

test("return page: webhooks held until after the browser is back", async ({ page, baseURL }, testInfo) => {
  const problems = await watchForProblems(page);
  // Harbor Point has both intervals by now: a first purchase in Summit Ridge, monthly.
  const before = await summitRidge(page);
  const { names, stripe } = await checkoutTwoProjects(page, "Monthly");
  // No webhook endpoint while paying: the events wait in Stripe, only the page can confirm.
  expect((await page.request.post(`${stripe}/__sandbox/stripe/webhook-url`)).ok()).toBeTruthy();
  try {
    await payWithTestCard(page);
    await expect(page).toHaveURL(/\/projects\?checkout_session=cs_/);
    await expectBannerAndTilesAgree(page, names, before);
    await page.screenshot({ path: testInfo.outputPath("return-browser-first.png"), fullPage: true });
  } finally {
    const endpoint = encodeURIComponent(`${baseURL}/webhooks/stripe`);
    await page.request.post(`${stripe}/__sandbox/stripe/webhook-url?url=${endpoint}`);
  }
  expect(problems).toEqual([]);
});
