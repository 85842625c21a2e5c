// The console's integrator pages in headless Chromium: an Enterprise owner adds a webhook
// endpoint (its secret shown once), sends a test, reads the delivery log with the receiver's
// response code, redelivers, pauses the endpoint, and reads each API token's cost budget.
// The receiver runs here and verifies every delivery with the `standardwebhooks` package and
// the secret the page showed.
//
//   CONSOLE_URL=http://… EMAIL=… PASSWORD=… ARTIFACTS=dir [CHROMIUM=/usr/bin/chromium] \
//     node tests/browser/webhooks.mjs
//
// Prints one line of JSON on stdout: {"ok":true,…} or {"ok":false,"step":…,"error":…}.
import http from "node:http";
import { chromium } from "playwright-core";
import { Webhook } from "standardwebhooks";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const CONSOLE = env("CONSOLE_URL").replace(/\/$/, "");
const ARTIFACTS = env("ARTIFACTS", "/tmp");
const result = { ok: false };
let step = "setup";
let browser;
let page;
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};
const at = async (name, action) => {
  step = name;
  console.error(`[webhooks.mjs] ${name}`);
  await action();
};

// The receiver: every delivery, and whether the shown secret verifies it.
let secret = null;
const deliveries = [];
const receiver = http.createServer((request, response) => {
  const chunks = [];
  request.on("data", (c) => chunks.push(c));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    let verified = false;
    try {
      new Webhook(secret).verify(body, {
        "webhook-id": request.headers["webhook-id"],
        "webhook-timestamp": request.headers["webhook-timestamp"],
        "webhook-signature": request.headers["webhook-signature"],
      });
      verified = true;
    } catch (_) { /* recorded as unverified */ }
    deliveries.push({ id: request.headers["webhook-id"], type: JSON.parse(body).type, verified });
    response.writeHead(200).end("ok");
  });
});
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const HOOK = `http://127.0.0.1:${receiver.address().port}/carbot`;

try {
  browser = await chromium.launch({ executablePath: env("CHROMIUM", "/usr/bin/chromium"), args: ["--no-sandbox"] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "de-DE" });
  page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  await at("1-sign-in", async () => {
    await page.goto(`${CONSOLE}/`);
    await page.fill("#field-email", env("EMAIL"));
    await page.fill("#field-password", env("PASSWORD"));
    await page.getByRole("button", { name: "Anmelden", exact: true }).click();
    await page.locator("nav.nav").waitFor({ timeout: 15_000 });
  });

  await at("2-create-endpoint", async () => {
    await page.locator('nav.nav a[href="/webhooks"]').click();
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
    await page.getByText("Noch keine Endpunkte.").waitFor();
    await page.fill("#field-webhook-url", HOOK);
    await page.fill("#field-webhook-description", "Werkstattsoftware");
    await page.locator("#webhook-type-lead-updated").check();
    await page.getByRole("button", { name: "Endpunkt anlegen" }).click();
    const shown = page.locator("#webhook-secret pre.snippet");
    await shown.waitFor({ timeout: 10_000 });
    secret = (await shown.textContent()).trim();
    check(secret.startsWith("whsec_"), `the secret shown: ${secret}`);
    await page.getByRole("button", { name: "Ich habe das Token gespeichert" }).click();
    check((await page.locator("#webhook-secret").count()) === 0, "the secret is still on the page");
    const card = page.locator("li.webhook");
    await card.getByText(HOOK).waitFor();
    const types = await card.locator("ul.tags li").allTextContents();
    check(types.join(",") === "lead.created,lead.updated", `event types: ${types}`);
    check((await card.locator(".badge.on").textContent()).trim() === "Aktiv", "not active");
  });

  await at("3-test-and-log", async () => {
    const card = page.locator("li.webhook");
    await card.getByRole("button", { name: "Test senden" }).click();
    await page.getByText("Test-Ereignis gesendet").waitFor({ timeout: 10_000 });
    // The worker delivers at once; the log shows the receiver's answer after a refresh.
    const delivered = card.locator("tbody tr", { hasText: "Zugestellt" });
    for (let i = 0; i < 40 && (await delivered.count()) === 0; i++) {
      await page.waitForTimeout(250);
      await card.getByRole("button", { name: "Aktualisieren" }).click();
    }
    check((await delivered.count()) === 1, "the test delivery is not shown as delivered");
    const row = (await delivered.first().innerText()).replace(/\s+/g, " ");
    check(row.includes("webhook.test"), `row: ${row}`);
    check(/\b200\b/.test(row), `no response code in the row: ${row}`);
    result.deliveryRow = row;
    await delivered.first().getByRole("button", { name: "Erneut senden" }).click();
    await page.getByText("Erneut in die Warteschlange gestellt").waitFor({ timeout: 10_000 });
    for (let i = 0; i < 40 && (await delivered.count()) < 2; i++) {
      await page.waitForTimeout(250);
      await card.getByRole("button", { name: "Aktualisieren" }).click();
    }
    check((await delivered.count()) === 2, "the redelivery is not in the log");
    await card.locator("select").selectOption("FAILED");
    await card.getByText("Noch keine Zustellungen.").waitFor();
    await card.locator("select").selectOption("");
    await page.screenshot({ path: `${ARTIFACTS}/console-webhooks.png`, fullPage: true });
  });

  await at("4-pause", async () => {
    const card = page.locator("li.webhook");
    await card.getByRole("button", { name: "Pausieren" }).click();
    await card.locator(".badge.off", { hasText: "Pausiert" }).waitFor({ timeout: 10_000 });
    // A paused endpoint can still be tested (to check the receiver before resuming).
    check(await card.getByRole("button", { name: "Test senden" }).isEnabled(), "a paused endpoint cannot be tested");
    await card.getByRole("button", { name: "Fortsetzen" }).click();
    await card.locator(".badge.on", { hasText: "Aktiv" }).waitFor({ timeout: 10_000 });
  });

  await at("5-rotate", async () => {
    const card = page.locator("li.webhook");
    const before = secret;
    await card.getByRole("button", { name: "Secret erneuern" }).click();
    const shown = page.locator("#webhook-secret pre.snippet");
    await shown.waitFor({ timeout: 10_000 });
    secret = (await shown.textContent()).trim();
    check(secret.startsWith("whsec_") && secret !== before, "no new secret shown");
    await card.getByText("altes Secret signiert bis").waitFor({ timeout: 10_000 });
  });

  await at("6-token-budget", async () => {
    await page.locator('nav.nav a[href="/tokens"]').click();
    const cell = page.locator("td.token-budget").first();
    await cell.waitFor({ timeout: 10_000 });
    const text = (await cell.innerText()).replace(/\s+/g, " ");
    check(/10\.000 Punkte/.test(text) && /\+500 pro Sekunde/.test(text), `budget cell: ${text}`);
    result.budget = text;
  });

  check(errors.length === 0, `page errors: ${errors.join(" | ")}`);
  result.deliveries = deliveries;
  result.ok = true;
  console.log(JSON.stringify(result));
  await browser.close();
  receiver.close();
  process.exit(0);
} catch (error) {
  await page?.screenshot({ path: `${ARTIFACTS}/failure-webhooks-${step}.png`, fullPage: true }).catch(() => {});
  console.log(JSON.stringify({ ...result, ok: false, step, deliveries, error: String(error?.message ?? error).replace(/\u001b\[[0-9;]*m/g, "") }));
  await browser?.close().catch(() => {});
  process.exit(1);
}
