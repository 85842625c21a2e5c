// Drives the CarBot console end to end in headless Chromium (run by tests/tests/console.rs).
// Env: CONSOLE_URL (the platform), SITE_URL (a workshop website with POST /snippet),
// ARTIFACTS (screenshot directory), CHROMIUM (default /usr/bin/chromium).
// Prints one JSON line: {"ok":true,…} or {"ok":false,"step":…,"error":…}.

import { readFile } from "node:fs/promises";
import { chromium } from "playwright-core";

const env = (name, fallback) => process.env[name] ?? fallback;
const CONSOLE = env("CONSOLE_URL").replace(/\/$/, "");
const SITE = env("SITE_URL").replace(/\/$/, "");
const ARTIFACTS = env("ARTIFACTS", "/tmp");
const SERVICE = "Scheibenwischer-Service Konsole";
const WITHDRAWING = "Max Widerruf";
// German words of the console's own texts: none may show once the viewer's language is English.
const GERMAN = [
  "Anfragen", "Einstellungen", "Leistungen", "Abmelden", "Speichern", "Abbrechen", "Wunschtermin",
  "Status ändern", "Einwilligung", "Wählen Sie", "gelöscht", "Zurück", "Übersicht", "Datenschutz",
  "Protokoll", "Sprache", "Kontakt", "Fahrzeug", "Eingang",
];
const MONTH_TIME = /\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}:\d{2}\b/;
const OWNER_REPLY = "Gern, heute um 15 Uhr passt.";
const HOSTILE = [
  '<img src=x onerror="window.__pwned=true;alert(1)">',
  "[Rabatt](javascript:window.__pwned=true) javascript:alert(2)",
];

const result = { ok: false, ownerReply: OWNER_REPLY, hostileExecuted: false, screenshots: [] };
let step = "start";
let browser;
const opened = [];
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};
const at = async (name, action) => {
  step = name;
  await action();
};

// Anything that tries to run in the console is caught here.
const guard = (page) => {
  page.on("dialog", async (dialog) => {
    result.hostileExecuted = true;
    await dialog.dismiss();
  });
  page.on("pageerror", (error) => {
    result.pageErrors = [...(result.pageErrors ?? []), String(error)];
  });
};

const nav = async (page, path) => {
  await page.locator(`nav.nav a[href="${path}"]`).click();
  await page.waitForURL(`${CONSOLE}${path}`);
};

try {
  browser = await chromium.launch({ executablePath: env("CHROMIUM", "/usr/bin/chromium"), args: ["--no-sandbox"] });
  const ownerContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, locale: "de-DE" });
  await ownerContext.grantPermissions(["clipboard-read", "clipboard-write"], { origin: CONSOLE });
  const owner = await ownerContext.newPage();
  opened.push(owner);
  guard(owner);
  await owner.addInitScript(() => {
    window.__pwned = false;
  });

  await at("1-register", async () => {
    await owner.goto(`${CONSOLE}/`);
    await owner.getByRole("button", { name: "Noch kein Konto? Jetzt registrieren" }).click();
    await owner.fill("#field-workshopName", "Autohaus Konsole");
    result.ownerEmail = `konsole-${Date.now()}@autohaus-test.de`;
    await owner.fill("#field-email", result.ownerEmail);
    await owner.fill("#field-password", "Bremsscheibe-Quietscht-7");
    await owner.getByRole("button", { name: "Registrieren", exact: true }).click();
    await owner.locator("nav.nav").waitFor({ timeout: 15_000 });
    // The access token is in memory only; nothing of the session in web storage.
    const stored = await owner.evaluate(() => localStorage.length + sessionStorage.length);
    check(stored === 0, `web storage holds ${stored} entries`);
    const cookies = await ownerContext.cookies();
    const refresh = cookies.find((c) => c.name === "carbot_refresh");
    check(refresh && refresh.httpOnly && refresh.sameSite === "Strict", "the refresh cookie is not HttpOnly/Strict");
    check((await owner.evaluate(() => document.cookie)).indexOf("carbot_refresh") === -1, "scripts can read the refresh cookie");
  });

  await at("2-add-service", async () => {
    await nav(owner, "/services");
    await owner.locator("#add-service").click();
    const form = owner.locator("#add-service-panel");
    await form.waitFor();
    const category = owner.locator("#field-new-service-category");
    const value = await category.locator("option").nth(1).getAttribute("value");
    await category.selectOption(value);
    await owner.fill("#field-new-service-name", SERVICE);
    await owner.fill("#field-new-service-min", "19");
    await owner.fill("#field-new-service-max", "39");
    await form.locator('button[type="submit"]').click();
    await owner.fill("#svc-search", "Scheibenwischer Konsole");
    await owner.getByText(SERVICE).first().waitFor({ timeout: 10_000 });
  });

  let snippet;
  await at("3-client-key", async () => {
    await nav(owner, "/widget");
    await owner.fill("#field-new-key-label", "Website");
    await owner.fill("#field-new-key-origins", SITE);
    await owner.getByRole("button", { name: "Key erstellen" }).click();
    const pre = owner.locator("pre.snippet").first();
    await pre.waitFor({ timeout: 10_000 });
    snippet = (await pre.textContent()).trim();
    check(snippet.includes("data-client-key=\"cb_pub_"), `unexpected snippet: ${snippet}`);
    // Pinned: this release's script by its integrity hash, loaded in CORS mode.
    check(/ integrity="sha384-[A-Za-z0-9+\/]{64}" crossorigin="anonymous" /.test(snippet), `no integrity in: ${snippet}`);
    await owner.getByRole("button", { name: /Code kopieren/ }).first().click();
    const copied = await owner.evaluate(() => navigator.clipboard.readText()).catch(() => null);
    if (copied !== null) check(copied.trim() === snippet, "the copy button copied something else");
    const posted = await fetch(`${SITE}/snippet`, { method: "POST", body: snippet });
    check(posted.ok, "the website refused the snippet");
  });

  await at("4-leads-open", async () => {
    await nav(owner, "/leads");
    await owner.getByText("Noch keine Anfragen").waitFor();
  });

  const visitorContext = await browser.newContext({ viewport: { width: 390, height: 800 }, locale: "de-DE" });
  const visitor = await visitorContext.newPage();
  opened.push(visitor);
  const widget = visitor.locator("#carbot-widget");
  await at("5-visitor-chats", async () => {
    await visitor.goto(`${SITE}/`);
    await widget.locator("button.launcher").click();
    const box = widget.locator(`textarea[aria-label="Ihre Nachricht"]`);
    await box.fill("Was kostet ein Ölwechsel?");
    await box.press("Enter");
    await widget.locator('.msg[data-role="ASSISTANT"][data-id] .text').last().waitFor({ timeout: 15_000 });
    const replies = widget.locator('.msg[data-role="ASSISTANT"][data-id]');
    for (const text of HOSTILE) {
      // The widget takes the next message once the assistant has answered the last one.
      const answered = await replies.count();
      await box.fill(text);
      await box.press("Enter");
      await widget.locator('.msg[data-role="VISITOR"][data-id] .text', { hasText: text.slice(0, 12) }).first().waitFor({ timeout: 10_000 });
      await replies.nth(answered).waitFor({ timeout: 15_000 });
    }
  });

  await at("6-lead-live", async () => {
    await widget.locator(".actions button.link").click();
    const form = widget.locator("form.lead");
    await form.locator('[name="name"]').fill("Erika Mustermann");
    await form.locator('[name="phone"]').fill("+49 170 1234567");
    await form.locator('[name="make"]').fill("VW");
    await form.locator('[name="model"]').fill("Golf");
    await form.locator("#cb-f-consent").check();
    await form.locator('button[type="submit"]').click();
    await widget.locator(".notice.thanks").last().waitFor({ timeout: 10_000 });
    // The console shows it without a reload, with a visible notice.
    await owner.locator(".notice", { hasText: "Erika Mustermann" }).waitFor({ timeout: 10_000 });
    await owner.locator("table", { hasText: "Erika Mustermann" }).waitFor({ timeout: 10_000 });
  });

  await at("7-take-over-and-reply", async () => {
    await nav(owner, "/chats");
    await owner.locator(".inbox button").first().click();
    const transcript = owner.locator(".transcript");
    await transcript.getByText("Was kostet ein Ölwechsel?").waitFor();
    for (const text of HOSTILE) await transcript.getByText(text, { exact: false }).first().waitFor();
    check((await transcript.locator("img, a[href^='javascript']").count()) === 0, "chat text became markup");
    await owner.getByRole("button", { name: "Übernehmen" }).click();
    await owner.getByText("Sie antworten persönlich").waitFor();
    await owner.fill("#owner-reply", OWNER_REPLY);
    await owner.getByRole("button", { name: "Senden" }).click();
    await widget.locator(".msg .text", { hasText: OWNER_REPLY }).first().waitFor({ timeout: 10_000 });
    await owner.getByRole("button", { name: "An Assistent zurückgeben" }).click();
    await owner.getByText("Der Assistent antwortet").waitFor();
    result.hostileExecuted ||= await owner.evaluate(() => window.__pwned === true);
  });

  let leadPath;
  await at("8-lead-status", async () => {
    await nav(owner, "/leads");
    await owner.locator("table a", { hasText: "Erika Mustermann" }).click();
    await owner.waitForURL(/\/leads\/.+/);
    leadPath = new URL(owner.url()).pathname;
    await owner.locator("#lead-next-status").selectOption("CONTACTED");
    await owner.locator(".badge.CONTACTED").first().waitFor({ timeout: 10_000 });
    const transcript = owner.locator(".transcript");
    check((await transcript.locator("img, a[href^='javascript']").count()) === 0, "lead transcript became markup");
    result.hostileExecuted ||= await owner.evaluate(() => window.__pwned === true);
  });

  await at("8b-dashboard", async () => {
    await nav(owner, "/");
    const leads = owner.locator("#kpi-leads .value");
    await leads.waitFor({ timeout: 15_000 });
    const kpi = async (id) => (await owner.locator(`#kpi-${id} .value`).textContent()).trim();
    result.dashboard = {
      leads: await kpi("leads"),
      conversations: await kpi("conversations"),
      visitorMessages: await kpi("visitor-messages"),
      widgetOpens: await kpi("widget-opens"),
      conversationToLead: await kpi("conversation-to-lead"),
      // The chart has a point per day of the last 30; the heat map a cell per weekday and hour.
      points: await owner.locator(".series-chart .point").count(),
      heatCells: await owner.locator(".heatmap .heat-row[role=row] .heat-cell").count(),
      median: (await owner.locator('#response-time [data-figure="median"]').textContent()).trim(),
      topQuestions: await owner.locator("#top-questions tbody tr").count(),
    };
    // Readable on a phone: nothing scrolls sideways.
    await owner.setViewportSize({ width: 375, height: 740 });
    await owner.waitForTimeout(300);
    result.dashboard.phoneOverflow = await owner.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await owner.setViewportSize({ width: 1280, height: 800 });
    // A shorter period redraws the chart.
    await owner.locator("#dash-preset").selectOption("7");
    await owner.waitForFunction(() => document.querySelectorAll(".series-chart .point").length === 7, null, { timeout: 10_000 });
    result.dashboard.weekPoints = 7;
    // Drill-down: the leads figure opens exactly the leads it counts.
    await owner.locator("#kpi-leads a.value").click();
    await owner.waitForURL(/\/leads\?.*after=/);
    await owner.locator(".callout.drill").waitFor();
    await owner.locator("table a", { hasText: "Erika Mustermann" }).waitFor({ timeout: 10_000 });
    result.dashboard.drilledLeads = await owner.locator("table tbody tr").count();
    await owner.getByRole("link", { name: "Filter aufheben" }).click();
    await owner.waitForURL(`${CONSOLE}/leads`);
    // A cell of the heat map opens the chats that started in that weekday and hour.
    await nav(owner, "/");
    const heatLink = owner.locator(".heatmap .heat-cell a");
    await heatLink.first().waitFor({ timeout: 15_000 });
    result.dashboard.heatLinks = await heatLink.count();
    await heatLink.first().click();
    await owner.waitForURL(/\/chats\?.*weekday=.*hour=/);
    await owner.locator(".callout.drill").waitFor();
    await owner.locator(".inbox > button").first().waitFor({ timeout: 10_000 });
    result.dashboard.drilledChats = await owner.locator(".inbox > button").count();
    result.dashboard.drillBanner = (await owner.locator(".callout.drill").textContent()).trim();
    // Exports: the bytes as the server streamed them (BOM, `;`) saved as a file.
    await nav(owner, "/");
    await owner.locator("#kpi-leads .value").waitFor({ timeout: 15_000 });
    result.dashboard.exports = {};
    for (const name of ["leads", "conversations", "peak-hours"]) {
      const [download] = await Promise.all([
        owner.waitForEvent("download", { timeout: 10_000 }),
        owner.locator(`button[data-export="${name}"]`).click(),
      ]);
      const bytes = await readFile(await download.path());
      const text = bytes.subarray(3).toString("utf8");
      result.dashboard.exports[name] = {
        file: download.suggestedFilename(),
        bom: bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf,
        header: text.split("\r\n")[0].split("\n")[0],
        rows: text.trim().split("\n").length - 1,
      };
    }
    check(result.dashboard.exports.leads.header.includes(";"), "the leads CSV is not separated by ;");
  });

  await at("9-export", async () => {
    await nav(owner, "/services");
    const [download] = await Promise.all([
      owner.waitForEvent("download", { timeout: 10_000 }),
      owner.getByRole("button", { name: "CSV exportieren" }).click(),
    ]);
    const csv = await readFile(await download.path(), "utf8");
    check(csv.includes(SERVICE), "the export lacks the new service");
    result.exportLines = csv.trim().split("\n").length;
  });

  await at("10-screenshots", async () => {
    const pages = [
      ["dashboard", "/"],
      ["leads", "/leads"],
      ["lead", leadPath],
      ["chats", "/chats"],
      ["services", "/services"],
      ["widget", "/widget"],
      ["tokens", "/tokens"],
      ["settings", "/settings"],
      ["plan", "/plan"],
    ];
    for (const [width, height, label] of [[1280, 800, "desktop"], [375, 740, "phone"]]) {
      await owner.setViewportSize({ width, height });
      for (const [name, path] of pages) {
        // A fresh load each time: the session comes back from the refresh cookie.
        await owner.goto(`${CONSOLE}${path}`);
        await owner.locator("nav.nav").waitFor({ timeout: 15_000 });
        await owner.waitForTimeout(400);
        const file = `${ARTIFACTS}/console-${name}-${label}.png`;
        await owner.screenshot({ path: file, fullPage: true });
        result.screenshots.push(file);
      }
    }
    const overflow = await owner.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `the phone layout scrolls sideways by ${overflow}px`);
  });

  await at("11-privacy", async () => {
    await owner.setViewportSize({ width: 1280, height: 800 });
    await nav(owner, "/settings");
    const card = owner.locator("#privacy");
    await card.waitFor({ timeout: 10_000 });
    const days = card.locator('[name="retention-conversations"]');
    await owner.waitForFunction(() => document.querySelector('[name="retention-conversations"]')?.value === "90");
    await days.fill("30");
    await card.getByRole("button", { name: "Aufbewahrung speichern" }).click();
    await owner.locator(".notice", { hasText: "Gespeichert" }).last().waitFor({ timeout: 10_000 });
    await card.locator('[name="privacy-phone"]').fill("0170 1234567");
    const downloads = [];
    owner.on("download", (d) => downloads.push(d));
    await card.locator("#privacy-export").click();
    for (let i = 0; i < 50 && downloads.length < 2; i++) await owner.waitForTimeout(100);
    check(downloads.length === 2, `expected the JSON and the summary, got ${downloads.length} downloads`);
    const json = await readFile(await downloads.find((d) => d.suggestedFilename().endsWith(".json")).path(), "utf8");
    result.exportedLeadNames = JSON.parse(json).leads.map((l) => l.name);
    await card.locator("#privacy-erase").click();
    await owner.locator("#privacy-erase-yes").click();
    const done = owner.locator("#privacy-erased");
    await done.waitFor({ timeout: 10_000 });
    result.erased = (await done.textContent()).trim();
    await owner.screenshot({ path: `${ARTIFACTS}/console-privacy.png`, fullPage: true });
  });

  let withdrawnPath;
  await at("12-withdraw-consent", async () => {
    // A second visitor sends a request, then tells the workshop they withdraw their consent.
    const otherContext = await browser.newContext({ viewport: { width: 390, height: 800 }, locale: "de-DE" });
    const other = await otherContext.newPage();
    opened.push(other);
    await other.goto(`${SITE}/`);
    const otherWidget = other.locator("#carbot-widget");
    await otherWidget.locator("button.launcher").click();
    await otherWidget.locator(".actions button.link").click();
    const form = otherWidget.locator("form.lead");
    await form.locator('[name="name"]').fill(WITHDRAWING);
    await form.locator('[name="email"]').fill("max.widerruf@example.org");
    await form.locator('[name="make"]').fill("Opel");
    await form.locator("#cb-f-consent").check();
    await form.locator('button[type="submit"]').click();
    await otherWidget.locator(".notice.thanks").last().waitFor({ timeout: 10_000 });
    await otherContext.close();

    await nav(owner, "/leads");
    await owner.locator("table a", { hasText: WITHDRAWING }).click();
    await owner.waitForURL(/\/leads\/.+/);
    withdrawnPath = new URL(owner.url()).pathname;
    await owner.locator('a[href="mailto:max.widerruf@example.org"]').waitFor({ timeout: 10_000 });
    await owner.locator("#lead-withdraw").click();
    const question = owner.locator("#lead-withdraw-question");
    await question.waitFor();
    const asked = (await question.textContent()).trim();
    check(asked.includes("endgültig gelöscht"), `the question does not say that the data is erased: ${asked}`);
    await owner.locator("#lead-withdraw-yes").click();
    const erased = owner.locator("#lead-erased");
    await erased.waitFor({ timeout: 10_000 });
    result.withdrawn = (await erased.textContent()).trim();
    check(result.withdrawn.startsWith("Einwilligung widerrufen"), `after withdrawing: ${result.withdrawn}`);
    check((await owner.locator("h1").first().textContent()).trim() === "[gelöscht]", "the lead still shows its name");
    check((await owner.locator('a[href^="mailto:"], a[href^="tel:"]').count()) === 0, "the lead still shows contact data");
    check((await owner.locator("#lead-withdraw").count()) === 0, "an erased lead still offers the withdrawal");
    // Opened again later, the lead says that it is erased.
    await owner.reload();
    await owner.locator("#lead-erased", { hasText: "Daten dieser Anfrage sind gelöscht" }).waitFor({ timeout: 15_000 });
    await owner.screenshot({ path: `${ARTIFACTS}/console-lead-withdrawn.png`, fullPage: true });
  });

  await at("13-privacy-log", async () => {
    await nav(owner, "/settings");
    const card = owner.locator("#privacy");
    await card.waitFor({ timeout: 10_000 });
    const log = card.locator("#privacy-log");
    const rows = log.locator("tbody tr");
    await rows.first().waitFor({ timeout: 10_000 });
    // Newest first: the withdrawal, the erasure, the export of step 11.
    const actions = async () => rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
    check(JSON.stringify(await actions()) === JSON.stringify(["WITHDRAW_CONSENT", "ERASE", "EXPORT"]), `log: ${await actions()}`);
    const withdrawal = (await rows.nth(0).innerText()).replace(/\s+/g, " ");
    check(withdrawal.includes("Einwilligung widerrufen") && withdrawal.includes(result.ownerEmail) && withdrawal.includes("Anfragen: 1"), `withdrawal entry: ${withdrawal}`);
    check(!withdrawal.includes(WITHDRAWING) && !withdrawal.includes("max.widerruf"), `the log names the person: ${withdrawal}`);
    const erasure = (await rows.nth(1).innerText()).replace(/\s+/g, " ");
    check(erasure.includes("Daten gelöscht") && erasure.includes("Nachrichten:"), `erasure entry: ${erasure}`);
    // Eight exports that find nobody: the log then pages ("more").
    await card.locator('[name="privacy-email"]').fill("niemand@example.org");
    for (let i = 1; i <= 8; i++) {
      const newest = await rows.first().getAttribute("data-id");
      await card.locator("#privacy-export").click();
      await owner.waitForFunction((id) => document.querySelector("#privacy-log tbody tr")?.dataset.id !== id, newest, { timeout: 10_000 });
    }
    check((await rows.count()) === 10, `the first page holds ${await rows.count()} entries`);
    check((await rows.nth(0).innerText()).includes("nichts gefunden"), "an export that found nobody");
    await log.locator("#privacy-log-more").click();
    await owner.waitForFunction(() => document.querySelectorAll("#privacy-log tbody tr").length === 11, null, { timeout: 10_000 });
    check((await log.locator("#privacy-log-more").count()) === 0, "more offered after the last page");
    const oldest = (await rows.nth(10).innerText()).replace(/\s+/g, " ");
    check(oldest.includes("Auskunft exportiert") && oldest.includes("Anfragen: 1"), `oldest entry: ${oldest}`);
    result.privacyLog = await actions();
    await log.screenshot({ path: `${ARTIFACTS}/console-privacy-log.png` });
  });

  await at("14-english", async () => {
    // The owner's language becomes English: the console follows it, also after a reload.
    await owner.locator("#field-email-locale").selectOption("EN");
    await owner.locator('nav.nav a[href="/settings"]', { hasText: "Settings" }).waitFor({ timeout: 10_000 });
    const pages = [
      ["leads", "/leads", ["Leads", "Received", "Estimated value", "Pipeline"]],
      ["lead", withdrawnPath, ["[erased]", "This lead's personal data has been erased.", "Change status", "Consent", "Transcript"]],
      ["chats", "/chats", ["Live chats", /Select a conversation\.|No conversations yet\./]],
      ["services", "/services", ["Add service", "Export CSV"]],
      ["widget", "/widget", ["Client keys", "Appearance"]],
      ["team", "/team", ["Pending invitations", "Invite a colleague"]],
      ["settings", "/settings", ["Your account", "Your language", "Privacy log", "Consent withdrawn", "Data erased", "Data exported", "nothing found", "Load older entries"]],
    ];
    result.english = [];
    for (const [name, path, wanted] of pages) {
      await owner.goto(`${CONSOLE}${path}`);
      await owner.locator("nav.nav").waitFor({ timeout: 15_000 });
      for (const text of wanted) await owner.getByText(text, { exact: false }).first().waitFor({ timeout: 10_000 });
      // The console's own words only: what visitors wrote and agreed to, and the workshop's
      // German catalog, stay as they were written.
      const shown = await owner.evaluate(() => {
        let text = document.body.innerText;
        for (const data of document.querySelectorAll("#lead-consent p.muted, .transcript, .notices, .services-table tbody, option")) {
          text = text.replace(data.innerText, "");
        }
        return text;
      });
      const german = GERMAN.filter((word) => shown.includes(word));
      check(german.length === 0, `${path} shows German in English: ${german.join(", ")}`);
      const page = await owner.evaluate(() => ({ lang: document.documentElement.lang, title: document.title }));
      check(page.lang === "en" && page.title === "CarBot console", `${path}: ${JSON.stringify(page)}`);
      if (name === "leads") check(MONTH_TIME.test(shown), `the leads' times are not written in English: ${shown.slice(0, 400)}`);
      await owner.screenshot({ path: `${ARTIFACTS}/console-${name}-english.png`, fullPage: true });
      result.english.push(name);
    }
  });

  await at("15-logout", async () => {
    await owner.getByRole("button", { name: "Sign out" }).click();
    await owner.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    // Signed out, a fresh page speaks the browser's language.
    await owner.reload();
    await owner.getByRole("button", { name: "Anmelden", exact: true }).waitFor({ timeout: 10_000 });
  });

  check(!result.hostileExecuted, "hostile chat text ran in the console");
  result.ok = true;
  console.log(JSON.stringify(result));
  await browser.close();
  process.exit(0);
} catch (error) {
  for (const [index, page] of opened.entries()) {
    await page.screenshot({ path: `${ARTIFACTS}/failure-${step}-${index}.png` }).catch(() => {});
  }
  console.log(JSON.stringify({ ...result, ok: false, step, error: String(error?.message ?? error).replace(/\u001b\[[0-9;]*m/g, "") }));
  await browser?.close().catch(() => {});
  process.exit(1);
}
