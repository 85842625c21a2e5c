// Drives the console's plan page through a whole upgrade in headless Chromium, against a local
// server speaking Stripe's API and pages (run by tests/tests/console_billing.rs).
// Env: CONSOLE_URL (the platform), STRIPE_URL (the local Stripe), OWNER_EMAIL, OWNER_PASSWORD
// (the owner of a workshop on its trial), DESK_URL (POST /past-due makes Stripe report the
// subscription past due), ARTIFACTS (screenshots), CHROMIUM (default /usr/bin/chromium).
// Prints one JSON line: {"ok":true,…} or {"ok":false,"step":…,"error":…}.

import { chromium } from "playwright-core";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const CONSOLE = env("CONSOLE_URL").replace(/\/$/, "");
const STRIPE = env("STRIPE_URL").replace(/\/$/, "");
const OWNER = env("OWNER_EMAIL");
const PASSWORD = env("OWNER_PASSWORD");
const DESK = env("DESK_URL").replace(/\/$/, "");
const ARTIFACTS = env("ARTIFACTS", "/tmp");

const result = { ok: false, screenshots: [], consoleErrors: [], pageErrors: [] };
let step = "start";
let browser;
let page;
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};
const at = async (name, action) => {
  step = name;
  await action();
};
const shot = async (name) => {
  const file = `${ARTIFACTS}/billing-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
  result.screenshots.push(file);
};
const text = async (selector) => ((await page.locator(selector).textContent()) ?? "").trim();

try {
  browser = await chromium.launch({ executablePath: env("CHROMIUM", "/usr/bin/chromium"), args: ["--no-sandbox"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "de-DE" });
  page = await context.newPage();
  page.on("pageerror", (error) => result.pageErrors.push(String(error)));
  page.on("console", (message) => {
    // Only the console's own pages count; the local Stripe's pages are not ours.
    if (message.type() === "error" && page.url().startsWith(CONSOLE)) result.consoleErrors.push(message.text());
  });

  await at("1-sign-in", async () => {
    await page.goto(`${CONSOLE}/`);
    await page.fill("#field-email", OWNER);
    await page.fill("#field-password", PASSWORD);
    await page.getByRole("button", { name: "Anmelden", exact: true }).click();
    await page.locator("nav.nav").waitFor({ timeout: 15_000 });
  });

  await at("2-trial", async () => {
    await page.goto(`${CONSOLE}/plan`);
    await page.locator("#plan-status").waitFor({ timeout: 15_000 });
    check((await text("#plan-status")).includes("Testphase"), `status: ${await text("#plan-status")}`);
    check((await text("#plan-name")).includes("Premium"), `plan: ${await text("#plan-name")}`);
    check((await page.locator("#manage-billing").count()) === 0, "a trial has nothing to manage at Stripe");
    await page.locator("#no-invoices").waitFor();
    await shot("trial");
  });

  await at("3-cancelled-checkout", async () => {
    await page.locator("#checkout-PREMIUM").click();
    await page.waitForURL(`${STRIPE}/pay/**`, { timeout: 15_000 });
    await page.locator("#cancel").click();
    await page.locator("#checkout-canceled").waitFor({ timeout: 15_000 });
    await page.waitForURL(`${CONSOLE}/plan`);
    check((await text("#plan-status")).includes("Testphase"), "a cancelled Checkout changed the plan");
  });

  await at("4-pay", async () => {
    await page.locator("#checkout-PREMIUM").click();
    await page.waitForURL(`${STRIPE}/pay/**`, { timeout: 15_000 });
    await shot("stripe-checkout");
    await page.locator("#pay-card").click();
    // Back on the plan page; the webhook may arrive after the redirect: the page waits for it.
    await page.waitForURL(`${CONSOLE}/plan**`, { timeout: 15_000 });
    await page.locator("#checkout-done").waitFor({ timeout: 30_000 });
    check((await text("#checkout-done")).includes("Premium"), `notice: ${await text("#checkout-done")}`);
    check((await text("#plan-status")).includes("Aktiv"), `status: ${await text("#plan-status")}`);
    check((await text("#plan-name")).includes("Premium"), `plan: ${await text("#plan-name")}`);
    check((await text("#payment-method")).includes("4242"), `payment method: ${await text("#payment-method")}`);
    const view = page.locator("#invoices a.invoice-view").first();
    check((await view.getAttribute("href")).startsWith(STRIPE), "the invoice links to Stripe's page");
    check((await view.getAttribute("target")) === "_blank", "the invoice opens in a new tab");
    await page.waitForURL(`${CONSOLE}/plan`);
    await shot("active");
  });

  await at("5-portal-cancel", async () => {
    await page.locator("#manage-billing").click();
    await page.waitForURL(`${STRIPE}/portal/**`, { timeout: 15_000 });
    await page.locator("#cancel-subscription").click();
    await page.locator("#return").click();
    await page.waitForURL(`${CONSOLE}/plan**`, { timeout: 15_000 });
    // The cancellation reaches the console by webhook; reload until it shows.
    const deadline = Date.now() + 20_000;
    while ((await page.locator("#plan-ends").count()) === 0) {
      check(Date.now() < deadline, "the cancellation at the period's end did not show");
      await page.waitForTimeout(500);
      await page.reload();
      await page.locator("#plan-status").waitFor({ timeout: 15_000 });
    }
    check((await text("#plan-status")).includes("Aktiv"), "cancelled at the period's end, the plan runs on");
    await shot("cancelled-at-period-end");
  });

  await at("6-past-due-banner", async () => {
    const response = await fetch(`${DESK}/past-due`, { method: "POST" });
    check(response.ok, `the desk answered ${response.status}`);
    const deadline = Date.now() + 20_000;
    for (;;) {
      await page.goto(`${CONSOLE}/leads`);
      await page.locator("nav.nav").waitFor({ timeout: 15_000 });
      if ((await page.locator("#past-due-banner").count()) > 0) break;
      check(Date.now() < deadline, "no past-due banner");
      await page.waitForTimeout(500);
    }
    const banner = await text("#past-due-banner");
    check(/\d{2}\.\d{2}\.\d{4}/.test(banner), `the banner names no deadline: ${banner}`);
    await shot("past-due");
    await page.locator('#past-due-banner a[href="/plan"]').click();
    await page.waitForURL(`${CONSOLE}/plan`);
    check((await text("#plan-status")).includes("überfällig"), `status: ${await text("#plan-status")}`);
  });

  check(result.pageErrors.length === 0, `errors in the pages: ${result.pageErrors.join(" | ")}`);
  check(result.consoleErrors.length === 0, `errors in the console: ${result.consoleErrors.join(" | ")}`);
  result.ok = true;
  console.log(JSON.stringify(result));
  await browser.close();
  process.exit(0);
} catch (error) {
  await page?.screenshot({ path: `${ARTIFACTS}/failure-${step}.png` }).catch(() => {});
  console.log(JSON.stringify({ ...result, ok: false, step, url: page?.url(), error: String(error?.message ?? error).replace(/\u001b\[[0-9;]*m/g, "") }));
  await browser?.close().catch(() => {});
  process.exit(1);
}
