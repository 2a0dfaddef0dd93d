import { test as base, expect, Frame, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

// Steps every spec shares.

// What a `view!` macro prints when an attribute expression ends its tag early (e.g.
// `disabled=x >= y`: the `>` closes the tag and the rest is shown as text).
export const VIEW_RESIDUE = [/on:[a-z]+/, /\|_\|/, /=>/, /\.update\(/, /\{\{/, /move \|/];

// The residue found in a frame's visible text, as "pattern: …context…".
export async function viewResidue(frame: Frame): Promise<string[]> {
  const text = await frame.evaluate(() => document.body?.innerText ?? "").catch(() => "");
  const found: string[] = [];
  for (const pattern of VIEW_RESIDUE) {
    const m = pattern.exec(text);
    if (m) found.push(`${pattern}: …${text.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, " ")}…`);
  }
  return found;
}

// Every spec's `test`: the page is checked for view-macro residue each time a document
// (the page or one of its frames) has loaded and once more at the end of the test; any
// residue fails the test with the page's URL and the text around it.
export const test = base.extend<{ residueGuard: void }>({
  residueGuard: [
    async ({ page }, use) => {
      const found: string[] = [];
      const check = async (frame: Frame) => {
        for (const r of await viewResidue(frame)) found.push(`${frame.url()}: ${r}`);
      };
      page.on("load", () => void check(page.mainFrame()));
      page.on("framenavigated", (frame) => {
        if (frame !== page.mainFrame()) void frame.waitForLoadState("load").then(() => check(frame)).catch(() => {});
      });
      await use();
      if (!page.isClosed()) for (const frame of page.frames()) await check(frame);
      expect([...new Set(found)], "view-macro residue in the visible text").toEqual([]);
    },
    { auto: true },
  ],
});

// Interactions need the WASM to have hydrated the server-rendered page.
export const hydrated = (page: Page) => expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

// Signs in through the (sandbox) Procore page and waits for Project Central to be interactive;
// returns the Procore sandbox's origin (its `/__sandbox/` switches live there).
export async function signIn(page: Page, login = "admin@summitridge.example", password = "sandbox-admin"): Promise<string> {
  await page.goto("/auth/procore/login");
  const procore = new URL(page.url()).origin;
  await page.getByLabel("Email").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects/);
  await hydrated(page);
  return procore;
}

// axe-core's WCAG 2.1 A/AA rules on the page as it is now; any violation fails the test
// with the rule, the elements and axe's explanation.
// `include`: only that part (an iframe's selector: the framed page, even cross-origin).
export async function expectNoAxeViolations(page: Page, include?: string) {
  let builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  const found = results.violations.map((v) => ({
    rule: v.id,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary ?? ""}`),
  }));
  expect(found, `axe violations on ${page.url()}`).toEqual([]);
}

// Collects what would show a broken page: uncaught errors, Content-Security-Policy
// violations (the page's `securitypolicyviolation` events and Chromium's console report),
// and Leptos's warnings about hydration. Await it before the first navigation; expect
// the returned list to be empty at the end.
export async function watchForProblems(page: Page) {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    const text = m.text();
    if (/hydrat/i.test(text) && (m.type() === "warning" || m.type() === "error")) problems.push(`hydration ${m.type()}: ${text}`);
    if (/Content[- ]Security[- ]Policy/i.test(text)) problems.push(`csp: ${text}`);
  });
  // Init scripts run through the DevTools protocol, before the page's own scripts and
  // outside its policy.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return problems;
}

// Licenses the last not-licensed project of the current company for Planner (monthly)
// and returns its name.
export async function licenseOneProject(page: Page): Promise<string> {
  await page.goto("/licensing");
  await hydrated(page);
  const rows = page.locator("table.wizard-grid tbody tr");
  await expect(rows.first()).toBeVisible();
  const row = rows.last();
  const name = await row.locator(".project-name").innerText();
  await row.locator("td").nth(0).locator("input[type=checkbox]").check();
  await row.locator("td").nth(1).locator("input[type=checkbox]").check();
  await payMonthly(page);
  return name;
}

// From the wizard's projects step with a selection: Next, monthly, then Confirm (the
// company's monthly subscription exists) or Checkout with test card 4242; ends on /projects.
export async function payMonthly(page: Page) {
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
    // The confirmation says what Stripe charged, then leads on to Project Central.
    await expect(page.locator("#purchase-done")).toContainText(/licensed · \$[\d,.]+ charged/);
    await page.locator("#open-project-central").click();
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
}
