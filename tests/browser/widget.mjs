// Drives the CarBot widget in headless Chromium, the way a visitor would.
//
//   ALLOWED_PAGE=http://… BLOCKED_PAGE=http://… ARTIFACTS=dir DOCUMENTS='{"SendMessage":"<sha256>",…}' \
//     API=http://… OWNER_TOKEN=… [CHROMIUM=/usr/bin/chromium] node tests/browser/widget.mjs
//
// API and OWNER_TOKEN: the platform and its workshop owner, who erases a person while the
// visitor's chat is open.
//
// The widget sends its trusted documents by hash; DOCUMENTS tells which request is which.
//
// Prints exactly one line of JSON on stdout: {"ok":true,…} (exit 0) or
// {"ok":false,"step":…,"error":…} (exit 1). Progress goes to stderr.
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const env = (name, fallback) => {
  const value = process.env[name] || fallback;
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const QUESTION = "Was kostet ein Ölwechsel?";
const DOCUMENTS = JSON.parse(env("DOCUMENTS"));
// Whether a request body runs the widget's document `name` (sent by its hash).
const runs = (body, name) => body.includes(DOCUMENTS[name]);
const REPLY_TIMEOUT = 15_000;
const result = { ok: true };
let step = "setup";
let browser;
let activePage; // screenshotted on failure
let artifacts;

const progress = (text) => console.error(`[widget.mjs] ${step}: ${text}`);
function check(condition, message) {
  if (!condition) throw new Error(message);
}
async function at(name, work) {
  step = name;
  progress("start");
  await work();
  progress("ok");
}

// Everything the page does that the test asserts on.
function watch(page) {
  const seen = { websockets: [], starts: 0, sends: 0, leads: 0, leadResponses: [], pageErrors: [], consoleErrors: [], warnings: [] };
  page.on("websocket", (ws) => seen.websockets.push(ws.url()));
  page.on("request", (request) => {
    if (request.method() !== "POST") return;
    const body = request.postData() || "";
    if (runs(body, "StartConversation")) seen.starts += 1;
    if (runs(body, "SendMessage")) seen.sends += 1;
    if (runs(body, "SubmitLead")) seen.leads += 1;
  });
  // Pushed synchronously, before the page itself can read the body, so awaiting the list is
  // race-free.
  page.on("response", (response) => {
    const body = response.request().postData() || "";
    if (!runs(body, "SubmitLead")) return;
    seen.leadResponses.push(response.json().catch(() => ({ status: response.status() })));
  });
  page.on("pageerror", (error) => seen.pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") seen.consoleErrors.push(message.text());
    if (message.type() === "warning") seen.warnings.push(message.text());
  });
  return seen;
}

const widget = (page) => page.locator("#carbot-widget");
const launcher = (page) => widget(page).locator("button.launcher");
const panel = (page) => widget(page).locator("#cb-panel");
const transcript = (page) =>
  widget(page).locator(".msg[data-id] .text").allTextContents();

async function openWithKeyboard(page) {
  await launcher(page).focus();
  await page.keyboard.press("Enter");
  await panel(page).waitFor({ state: "visible", timeout: 5_000 });
  check((await launcher(page).getAttribute("aria-expanded")) === "true", "launcher aria-expanded is not true after opening");
  const focusInPanel = await page.evaluate(() => {
    const host = document.getElementById("carbot-widget");
    const active = host && host.shadowRoot && host.shadowRoot.activeElement;
    return Boolean(active && active.closest("#cb-panel"));
  });
  check(focusInPanel, "focus did not move into the chat panel on open");
}

async function storage(page, context) {
  return {
    cookies: (await context.cookies()).length,
    localStorage: await page.evaluate(() => localStorage.length),
    sessionStorage: await page.evaluate(() => sessionStorage.length),
  };
}

function assertNoPageErrors(seen) {
  check(seen.pageErrors.length === 0, `uncaught page errors: ${seen.pageErrors.join(" | ")}`);
  const csp = seen.consoleErrors.filter((e) => /Content Security Policy|Trusted Type/i.test(e));
  check(csp.length === 0, `CSP violations: ${csp.join(" | ")}`);
}

async function main() {
  const allowedUrl = env("ALLOWED_PAGE");
  const blockedUrl = env("BLOCKED_PAGE");
  artifacts = env("ARTIFACTS");
  fs.mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: env("CHROMIUM", "/usr/bin/chromium"),
    args: ["--no-sandbox"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "de-DE" });
  const page = (activePage = await context.newPage());
  const seen = watch(page);

  await at("1-load", async () => {
    await page.goto(allowedUrl, { waitUntil: "load" });
    await launcher(page).waitFor({ state: "visible", timeout: 10_000 });
    await page.waitForTimeout(500); // give an eager widget the chance to misbehave
    const before = await storage(page, context);
    result.storageBeforeOpen = before;
    check(before.cookies === 0, `cookies exist before the chat was opened: ${before.cookies}`);
    check(before.localStorage === 0, `localStorage has ${before.localStorage} entries before the chat was opened`);
    check(before.sessionStorage === 0, `sessionStorage has ${before.sessionStorage} entries before the chat was opened`);
    check(seen.websockets.length === 0, `a WebSocket was opened before the chat: ${seen.websockets.join(", ")}`);
    check(seen.starts === 0, "startConversation was sent before the chat was opened");
    check((await launcher(page).getAttribute("aria-label")) !== null, "the launcher has no aria-label");
    result.launcherLabel = await launcher(page).getAttribute("aria-label");
  });

  await at("2-chat", async () => {
    await openWithKeyboard(page);
    await page.keyboard.type(QUESTION);
    await page.keyboard.press("Enter");
    const reply = widget(page).locator('.msg[data-role="ASSISTANT"][data-id] .text').last();
    await reply.waitFor({ state: "visible", timeout: REPLY_TIMEOUT });
    result.reply = (await reply.textContent()).trim();
    check(result.reply.length > 0, "the assistant reply is empty");
    progress(`assistant: ${result.reply}`);
    const question = widget(page).locator('.msg[data-role="VISITOR"][data-id] .text', { hasText: QUESTION });
    await question.waitFor({ state: "visible", timeout: 5_000 });
    check((await widget(page).locator(".msg.pending").count()) === 0, "the visitor message is still pending");
    result.startConversationRequests = seen.starts;
    check(seen.starts === 1, `expected one startConversation, saw ${seen.starts}`);
    check(seen.websockets.length >= 1, "no WebSocket was opened for the conversation");
    const stored = await page.evaluate(() => Object.keys(localStorage));
    check(stored.length === 1 && stored[0].startsWith("carbot:"), `unexpected localStorage keys: ${stored}`);
    result.storageKey = stored[0];
    result.citedServices = await widget(page).locator(".msg[data-id] .cites li").allTextContents();
    // The car named in the chat goes into the request form.
    const replies = await widget(page).locator('.msg[data-role="ASSISTANT"][data-id]').count();
    await page.keyboard.type("Ich fahre einen VW Golf 7, Baujahr 2016.");
    await page.keyboard.press("Enter");
    await widget(page).locator('.msg[data-role="ASSISTANT"][data-id]').nth(replies).waitFor({ state: "visible", timeout: REPLY_TIMEOUT });
  });

  await at("3-lead", async () => {
    await widget(page).locator(".actions button.link").click();
    const form = widget(page).locator("form.lead");
    await form.waitFor({ state: "visible", timeout: 5_000 });
    result.prefilled = {
      make: await form.locator('[name="make"]').inputValue(),
      model: await form.locator('[name="model"]').inputValue(),
      year: await form.locator('[name="year"]').inputValue(),
    };
    check(result.prefilled.year === "2016" && /golf/i.test(result.prefilled.model), `the form was not filled from the chat: ${JSON.stringify(result.prefilled)}`);
    const leadsBefore = seen.leads;
    await form.locator('button[type="submit"]').click();
    const consentError = form.locator("#cb-e-consent");
    await consentError.waitFor({ state: "visible", timeout: 5_000 });
    result.consentError = (await consentError.textContent()).trim();
    await page.screenshot({ path: path.join(artifacts, "widget-lead-consent-error.png"), animations: "disabled" });
    check(result.consentError.length > 0, "the consent error is empty");
    check((await form.locator("#cb-f-consent").getAttribute("aria-invalid")) === "true", "consent checkbox is not aria-invalid");
    check((await form.locator("#cb-f-consent").getAttribute("aria-describedby")) === "cb-e-consent", "consent error is not linked by aria-describedby");
    const created = (await Promise.all(seen.leadResponses)).filter((r) => r && r.data && r.data.submitLead && r.data.submitLead.lead);
    check(created.length === 0, "a lead was created without consent");
    result.leadRequestsWithoutConsent = seen.leads - leadsBefore;

    await form.locator('[name="name"]').fill("Erika Mustermann");
    await form.locator('[name="phone"]').fill("+49 170 1234567");
    await form.locator('[name="make"]').fill("VW");
    await form.locator('[name="model"]').fill("Golf");
    await form.locator('[name="year"]').fill("2017");
    result.leadServiceOptions = await form.locator('input[name="service"]').count();
    await form.locator("#cb-f-consent").check();
    await form.locator('button[type="submit"]').click();
    const thanks = widget(page).locator(".notice.thanks").last();
    await thanks.waitFor({ state: "visible", timeout: 10_000 });
    result.thanks = (await thanks.textContent()).trim();
    const lead = (await Promise.all(seen.leadResponses)).map((r) => r && r.data && r.data.submitLead && r.data.submitLead.lead).find(Boolean);
    check(lead && lead.id, "submitLead returned no lead");
    result.leadId = lead.id;
    result.leadStatus = lead.status;
  });

  await at("4-reload", async () => {
    const startsBefore = seen.starts;
    await page.reload({ waitUntil: "load" });
    await launcher(page).waitFor({ state: "visible", timeout: 10_000 });
    check(seen.starts === startsBefore, "startConversation was sent on reload before opening");
    await openWithKeyboard(page);
    const question = widget(page).locator('.msg[data-role="VISITOR"][data-id] .text', { hasText: QUESTION });
    await question.waitFor({ state: "visible", timeout: 10_000 });
    await widget(page).locator('.msg[data-role="ASSISTANT"][data-id]').first().waitFor({ state: "visible", timeout: 10_000 });
    result.transcriptAfterReload = (await transcript(page)).map((text) => text.trim());
    check(result.transcriptAfterReload.includes(QUESTION), "the question is not in the restored transcript");
    check(result.transcriptAfterReload.includes(result.reply), "the reply is not in the restored transcript");
    check(seen.starts === 1, `a second startConversation happened (${seen.starts} in all)`);
    result.startConversationRequests = seen.starts;
  });

  await at("5-blocked", async () => {
    const blockedContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const blocked = (activePage = await blockedContext.newPage());
    const blockedSeen = watch(blocked);
    await blocked.goto(blockedUrl, { waitUntil: "load" });
    await blocked.waitForTimeout(3_000);
    const hosts = await widget(blocked).count();
    const launchers = await launcher(blocked).count();
    result.blockedLauncher = launchers > 0;
    check(hosts === 0 && launchers === 0, "the widget rendered on a page whose origin is not allowed");
    check(blockedSeen.starts === 0, "startConversation was sent from a blocked origin");
    check(blockedSeen.websockets.length === 0, "a WebSocket was opened from a blocked origin");
    result.blockedStorage = await storage(blocked, blockedContext);
    check(result.blockedStorage.localStorage === 0 && result.blockedStorage.cookies === 0, "the blocked page stored something");
    result.blockedWarning = blockedSeen.warnings.find((w) => w.includes("CarBot")) || null;
    check(blockedSeen.pageErrors.length === 0, `uncaught page errors on the blocked page: ${blockedSeen.pageErrors.join(" | ")}`);
    await blockedContext.close();
    activePage = page;
  });

  await at("6-screenshots", async () => {
    const desktop = path.join(artifacts, "widget-1280x800.png");
    await page.screenshot({ path: desktop, animations: "disabled" });
    await page.setViewportSize({ width: 375, height: 740 });
    await page.waitForTimeout(300);
    const box = await panel(page).boundingBox();
    check(box && Math.round(box.width) === 375 && Math.round(box.height) === 740, `panel is not full-screen on a phone: ${JSON.stringify(box)}`);
    const mobile = path.join(artifacts, "widget-375x740.png");
    await page.screenshot({ path: mobile, animations: "disabled" });
    result.screenshots = [desktop, mobile];
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden", timeout: 5_000 });
    const launcherFocused = await page.evaluate(() => {
      const root = document.getElementById("carbot-widget").shadowRoot;
      return Boolean(root.activeElement && root.activeElement.classList.contains("launcher"));
    });
    check(launcherFocused, "Escape did not return focus to the launcher");
    result.websocketsOnAllowedPage = seen.websockets.length;
    result.sendMessageRequests = seen.sends;
  });

  await at("7-privacy", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await openWithKeyboard(page);
    const menuButton = widget(page).locator('header button[aria-haspopup="menu"]');
    await menuButton.click();
    const items = widget(page).locator(".menu .item");
    result.menuItems = (await items.allTextContents()).map((t) => t.trim());
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 10_000 }),
      items.filter({ hasText: "Chat herunterladen" }).click(),
    ]);
    const file = path.join(artifacts, "widget-chat.json");
    await download.saveAs(file);
    const document = JSON.parse(fs.readFileSync(file, "utf8"));
    result.downloadFormat = document.format;
    result.downloadedMessages = document.conversations[0].messages.map((m) => m.body);
    result.downloadedLeadNames = document.leads.map((l) => l.name);
    check(result.downloadedMessages.includes(QUESTION), `the download lacks the question: ${result.downloadedMessages}`);

    await menuButton.click();
    await items.filter({ hasText: "Chat löschen" }).click();
    const ask = widget(page).locator(".menu .ask");
    await ask.waitFor({ state: "visible", timeout: 5_000 });
    await page.screenshot({ path: path.join(artifacts, "widget-delete-ask.png"), animations: "disabled" });
    await ask.locator("button.btn").click();
    const notice = widget(page).locator(".notice", { hasText: "gelöscht" }).last();
    await notice.waitFor({ state: "visible", timeout: 10_000 });
    result.deletedNotice = (await notice.textContent()).trim();
    result.transcriptAfterDelete = (await transcript(page)).map((t) => t.trim());
    check(result.transcriptAfterDelete.length === 0, `messages still shown: ${result.transcriptAfterDelete}`);
    result.storageAfterDelete = await page.evaluate(() => Object.keys(localStorage));
    check(result.storageAfterDelete.length === 0, `localStorage still holds ${result.storageAfterDelete}`);
    // The next message starts a fresh conversation.
    const startsBefore = seen.starts;
    await widget(page).locator(".bar textarea").fill("Neue Frage");
    await page.keyboard.press("Enter");
    await widget(page).locator('.msg[data-role="ASSISTANT"][data-id]').first().waitFor({ state: "visible", timeout: REPLY_TIMEOUT });
    check(seen.starts === startsBefore + 1, "no new conversation after deleting the chat");
    assertNoPageErrors(seen);
  });

  await at("8-erased-by-the-workshop", async () => {
    // The visitor gives an address; the workshop erases that person while the chat is open.
    const address = "max.muster@example.de";
    const replies = widget(page).locator('.msg[data-role="ASSISTANT"][data-id]');
    const repliesBefore = await replies.count();
    await widget(page).locator(".bar textarea").fill(`Meine Adresse ist ${address}`);
    await page.keyboard.press("Enter");
    await replies.nth(repliesBefore).waitFor({ state: "visible", timeout: REPLY_TIMEOUT });
    const response = await fetch(`${env("API")}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${env("OWNER_TOKEN")}` },
      body: JSON.stringify({
        query: "mutation($email: String!) { eraseContact(input: { email: $email }) { erased { conversations messages } userErrors { code } } }",
        variables: { email: address },
      }),
    });
    const body = await response.json();
    result.workshopErased = body.data && body.data.eraseContact.erased;
    check(result.workshopErased && result.workshopErased.conversations === 1, `the erasure: ${JSON.stringify(body)}`);
    const deadline = Date.now() + 10_000;
    while ((await transcript(page)).length > 0 && Date.now() < deadline) await page.waitForTimeout(100);
    result.transcriptAfterWorkshopErased = (await transcript(page)).map((t) => t.trim());
    check(result.transcriptAfterWorkshopErased.length === 0, `the erased chat is still shown: ${result.transcriptAfterWorkshopErased}`);
    // The log now holds the greeting and the one notice that says so.
    const notice = widget(page).locator(".notice", { hasText: "gelöscht" });
    check((await notice.count()) === 1 && (await notice.isVisible()), "no notice says the chat was deleted");
    result.workshopErasedNotice = (await notice.textContent()).trim();
    result.storageAfterWorkshopErased = await page.evaluate(() => Object.keys(localStorage));
    check(result.storageAfterWorkshopErased.length === 0, `localStorage still holds ${result.storageAfterWorkshopErased}`);
    assertNoPageErrors(seen);
  });
}

const overall = setTimeout(() => {
  console.log(JSON.stringify({ ok: false, step, error: "timed out after 120 s" }));
  process.exit(1);
}, 120_000);

try {
  await main();
  console.log(JSON.stringify(result));
  process.exitCode = 0;
} catch (error) {
  progress(`FAILED: ${error.stack || error}`);
  if (activePage && artifacts) {
    await activePage
      .screenshot({ path: path.join(artifacts, `failure-${step}.png`) })
      .catch(() => {});
  }
  const message = String(error.message || error).replace(/\u001b\[\d+m/g, "");
  console.log(JSON.stringify({ ok: false, step, error: message }));
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  if (browser) await browser.close().catch(() => {});
}
