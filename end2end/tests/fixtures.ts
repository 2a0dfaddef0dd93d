import { expect, Page } from "@playwright/test";

// Steps every spec shares.

// Interactions need the WASM to have hydrated the server-rendered page.
export const hydrated = (page: Page) => expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

// Signs in through the (sandbox) Procore page and waits for Project Central to be interactive.
export async function signIn(page: Page, login = "admin@summitridge.example", password = "sandbox-admin") {
  await page.goto("/auth/procore/login");
  await page.getByLabel("Email").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects/);
  await hydrated(page);
}
