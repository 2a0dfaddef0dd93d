import * as fs from "node:fs";
import * as path from "node:path";

// The listing kit's checks, without a browser: a listing file (docs/marketplace/*.md, one
// `## Field` section per Marketplace Listing field) against Procore's limits
// (../shared/reference/market.md §1.4) and against the code's catalog. Used by listing.spec.ts.

export const ROOT = path.resolve(__dirname, "../..");
export const KIT = path.join(ROOT, "docs/marketplace");
export const LISTINGS = ["smartapp-planner.md", "smartapp-safety.md"];

const REQUIRED = ["Name", "Tagline", "Summary", "How it works", "Features", "Categories", "Pricing", "Contacts", "Media"];
const CONTACT_VARIABLES = ["SUPPORT_EMAIL", "SUPPORT_URL", "PRIVACY_URL", "TERMS_URL"];
type Item = "Planner" | "Safety" | "Planner Board" | "Safety Badge";
const ITEMS: Item[] = ["Planner Board", "Safety Badge", "Planner", "Safety"];
export type Prices = Record<Item, { monthly: number; yearly: number }>;

// One field's text as pasted: its lines joined by single spaces.
const flat = (s: string) => s.replace(/\s+/g, " ").trim();
// Characters as Procore counts them (code points, not UTF-16 units).
const length = (s: string) => [...s].length;
const bullets = (s: string) =>
  s
    .split(/\n(?=- )/)
    .map((b) => b.trim())
    .filter((b) => b.startsWith("- "))
    .map((b) => flat(b.slice(2)));

export function parseListing(text: string) {
  const sections = new Map<string, string>();
  const parts = text.split(/^## (.+)$/m);
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i].trim(), parts[i + 1].trim());
  const prices: Partial<Prices> = {};
  for (const row of (sections.get("Pricing") ?? "").split("\n").filter((l) => l.startsWith("| "))) {
    const cells = row.split("|").map((c) => c.trim());
    const item = ITEMS.find((i) => cells[1]?.startsWith(i));
    const dollars = (c: string) => Math.round(Number(/^\$([\d,]+(?:\.\d\d)?)/.exec(c)?.[1]?.replace(/,/g, "") ?? NaN) * 100);
    if (item) prices[item] = { monthly: dollars(cells[2]), yearly: dollars(cells[3]) };
  }
  return { sections, prices: prices as Prices };
}

/** Every way the listing breaks Procore's rules (empty: none). */
export function listingProblems(text: string): string[] {
  const { sections } = parseListing(text);
  const problems = REQUIRED.filter((s) => !sections.get(s)).map((s) => `missing section: ${s}`);
  const field = (s: string) => flat(sections.get(s) ?? "");
  const limit = (name: string, value: string, max: number, min = 1) => {
    const n = length(value);
    if (n > max || n < min) problems.push(`${name} is ${n} characters (${min > 1 ? `${min} to ${max}` : `at most ${max}`})`);
  };
  const name = field("Name");
  limit("Name", name, 30);
  if (/procore/i.test(name)) problems.push('Name must not contain "Procore"');
  if (!/^[A-Za-z0-9 ]*$/.test(name)) problems.push("Name has special characters");
  limit("Tagline", field("Tagline"), 40);
  if (/procore for/i.test(field("Tagline"))) problems.push('Tagline must not say "Procore for"');
  limit("Summary", field("Summary"), 2000, 200);
  limit("How it works", field("How it works"), 500);
  const features = bullets(sections.get("Features") ?? "");
  if (features.length < 3) problems.push(`${features.length} features (at least 3)`);
  features.forEach((f, i) => {
    limit(`Feature ${i + 1}`, f, 200);
    if (!/^[A-Z][a-z]+ /.test(f)) problems.push(`Feature ${i + 1} does not start with a verb: ${f.slice(0, 30)}…`);
  });
  if (bullets(sections.get("Categories") ?? "").length < 1 && sections.has("Categories")) problems.push("no category");
  const pricing = field("Pricing");
  for (const needed of ["$295", "$595", "10 months", "Planner Board", "Safety Badge", "trial", "middleware"]) {
    if (!pricing.includes(needed)) problems.push(`Pricing does not mention ${needed}`);
  }
  const contacts = field("Contacts");
  for (const v of CONTACT_VARIABLES) if (!contacts.includes(v)) problems.push(`Contacts do not name ${v}`);
  // No made-up domain shown as real: every address is a reserved example name or Procore's.
  const hosts = [...text.matchAll(/[\w.+-]+@([\w-]+(?:\.[\w-]+)+)/g), ...text.matchAll(/https?:\/\/([\w.-]+)/g)].map((m) => m[1].toLowerCase());
  for (const host of new Set(hosts)) {
    if (!/(\.example|\.invalid|\.test|\.localhost|^localhost|(^|\.)procore\.com|(^|\.)stripe\.com)$/.test(host)) {
      problems.push(`${host} is not a reserved example domain (RFC 2606) nor Procore's or Stripe's`);
    }
  }
  return problems;
}

function rustSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? rustSources(p) : e.name.endsWith(".rs") ? [fs.readFileSync(p, "utf8")] : [];
  });
}

/** Where the listing's prices, trial and contacts disagree with the code (empty: nowhere). */
export function priceProblems(text: string): string[] {
  const problems: string[] = [];
  const quote = fs.readFileSync(path.join(ROOT, "app/src/licensing/quote.rs"), "utf8");
  const defaults = /impl Default for Catalog \{[\s\S]*?\n\}/.exec(quote)?.[0] ?? "";
  const number = (field: string) => Number(new RegExp(`${field}: ([\\d_]+)`).exec(defaults)?.[1]?.replace(/_/g, "") ?? NaN);
  const months = number("yearly_multiplier_months");
  const monthly: Record<Item, number> = {
    Planner: number("planner_monthly_cents"),
    Safety: number("safety_monthly_cents"),
    "Planner Board": number("planner_board_monthly_cents"),
    "Safety Badge": number("safety_badge_monthly_cents"),
  };
  const { prices, sections } = parseListing(text);
  for (const item of ITEMS) {
    const listed = prices[item];
    if (!listed) {
      problems.push(`Pricing has no row for ${item}`);
      continue;
    }
    if (listed.monthly !== monthly[item]) problems.push(`${item}: listed ${listed.monthly} cents a month, the catalog says ${monthly[item]}`);
    const explicit = new RegExp(`${item.toLowerCase().replace(" ", "_")}_yearly_cents: None`).test(defaults);
    if (!explicit) problems.push(`${item}: the catalog has an explicit yearly price; check the listing by hand`);
    if (listed.yearly !== monthly[item] * months) problems.push(`${item}: listed ${listed.yearly} cents a year, the catalog says ${monthly[item] * months}`);
  }
  const pricing = flat(sections.get("Pricing") ?? "");
  if (!pricing.includes(`Yearly costs ${months} months' price`)) problems.push(`Pricing does not say yearly costs ${months} months`);
  // The trial: off by default, a Stripe trial on Checkout when CATALOG_TRIAL_DAYS is set.
  const server = rustSources(path.join(ROOT, "server/src")).join("\n");
  const app = rustSources(path.join(ROOT, "app/src")).join("\n");
  if (!/cents\("CATALOG_TRIAL_DAYS", 0\)/.test(server)) problems.push("the server no longer reads CATALOG_TRIAL_DAYS with default 0");
  if (!/trial_period_days = Some\(self\.catalog\.trial_days\)/.test(server)) problems.push("Checkout no longer sets Stripe's trial_period_days");
  if (!pricing.includes("`CATALOG_TRIAL_DAYS`, 0 by default")) problems.push("Pricing does not say the trial is off by default (CATALOG_TRIAL_DAYS)");
  if (!app.includes('"Start trial"') && pricing.includes("Start trial")) problems.push('the Get started page no longer says "Start trial"');
  // Contacts come from configuration the server really reads, with the defaults it has.
  const contacts = sections.get("Contacts") ?? "";
  for (const v of CONTACT_VARIABLES) {
    if (!server.includes(`"${v}"`)) problems.push(`the server does not read ${v}`);
  }
  for (const m of contacts.matchAll(/`([^`\s]+@[^`\s]+|https?:\/\/[^`\s]+)`/g)) {
    if (!(server + app).includes(m[1])) problems.push(`default ${m[1]} is not in the code`);
  }
  return problems;
}

/** A PNG's width and height from its IHDR chunk (bytes 16–23); fails on anything else. */
export function pngSize(file: string): { width: number; height: number } {
  const head = fs.readFileSync(file).subarray(0, 24);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (head.length < 24 || !head.subarray(0, 8).equals(signature) || head.toString("latin1", 12, 16) !== "IHDR") {
    throw new Error(`${file} is not a PNG`);
  }
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}
