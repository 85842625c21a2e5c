// Drives the console's accounts, team and locations in headless Chromium, reading the links
// from the e-mails a real SMTP server stored (run by tests/tests/console_team.rs).
// Env: CONSOLE_URL (the platform), MAILDIR (the SMTP server's Maildir), OWNER_EMAIL,
// OWNER_PASSWORD (an unconfirmed owner of an Enterprise workshop), OWNER_NEW_PASSWORD,
// COLLEAGUE_EMAIL, COLLEAGUE_PASSWORD, WORKSHOP_NAME, LEAD_ID and WORKSHOP_ID (a lead of that
// workshop, for the link a lead e-mail carries), PLAN_DESK_URL (POST /enterprise moves the
// workshop, on its trial at first, to Enterprise), ARTIFACTS (screenshots),
// CHROMIUM (default /usr/bin/chromium).
// Prints one JSON line: {"ok":true,…} or {"ok":false,"step":…,"error":…}.

import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const CONSOLE = env("CONSOLE_URL").replace(/\/$/, "");
const MAILDIR = env("MAILDIR");
const OWNER = env("OWNER_EMAIL");
const OWNER_PASSWORD = env("OWNER_PASSWORD");
const OWNER_NEW_PASSWORD = env("OWNER_NEW_PASSWORD");
const COLLEAGUE = env("COLLEAGUE_EMAIL");
const COLLEAGUE_PASSWORD = env("COLLEAGUE_PASSWORD");
const WORKSHOP = env("WORKSHOP_NAME");
const LEAD_ID = env("LEAD_ID");
const WORKSHOP_ID = env("WORKSHOP_ID");
const PLAN_DESK = env("PLAN_DESK_URL").replace(/\/$/, "");
const ARTIFACTS = env("ARTIFACTS", "/tmp");
const LOCATION = "Filiale Altona";
const OWNER_ONLY = ["/widget", "/tokens", "/webhooks", "/team", "/plan"];

const result = { ok: false, screenshots: [], consoleErrors: [], pageErrors: [] };
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

// Anything that goes wrong in a page (an exception, an error logged, a refused CSP) is kept.
const watch = (page, who) => {
  opened.push(page);
  page.on("pageerror", (error) => result.pageErrors.push(`${who}: ${error}`));
  page.on("console", (message) => {
    if (message.type() === "error") result.consoleErrors.push(`${who}: ${message.text()}`);
  });
  page.on("dialog", async (dialog) => {
    result.pageErrors.push(`${who}: unexpected dialog ${dialog.message()}`);
    await dialog.dismiss();
  });
};

const shot = async (page, name) => {
  const file = `${ARTIFACTS}/team-${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
  result.screenshots.push(file);
};

const nav = async (page, path) => {
  await page.locator(`nav.nav a[href="${path}"]`).click();
  await page.waitForURL(`${CONSOLE}${path}`);
};

// --- The Maildir ---------------------------------------------------------------------------

// lettre writes text parts quoted-printable: soft line breaks (`=` at a line's end) join lines,
// `=XX` is a byte.
const unquote = (text) => {
  const joined = text.replace(/=\r?\n/g, "");
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
};

// Every stored message as { to, at, text }, oldest first.
const mails = async () => {
  const found = [];
  for (const sub of ["new", "cur"]) {
    const dir = join(MAILDIR, sub);
    const names = await readdir(dir).catch(() => []);
    for (const name of names) {
      const path = join(dir, name);
      const [raw, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
      const to = (raw.match(/^To:\s*(.+)$/im)?.[1] ?? "").trim();
      found.push({ to, at: info.mtimeMs, name, text: unquote(raw) });
    }
  }
  return found.sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
};

// The links to `path` in the e-mails to `address`, oldest first.
const links = async (address, path) => {
  const pattern = new RegExp(`${CONSOLE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}${path}\\?token=[A-Za-z0-9_\\-]+`, "g");
  const found = [];
  for (const mail of await mails()) {
    if (!mail.to.toLowerCase().includes(address.toLowerCase())) continue;
    for (const link of new Set(mail.text.match(pattern) ?? [])) found.push(link);
  }
  return found;
};

// Waits until the e-mails to `address` hold more than `seen` links to `path`; the newest.
const newLink = async (address, path, seen, timeout = 20_000) => {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = await links(address, path);
    if (found.length > seen) return found[found.length - 1];
    if (Date.now() > deadline) throw new Error(`no new ${path} link to ${address} (had ${seen})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

// --- The story -----------------------------------------------------------------------------

try {
  browser = await chromium.launch({ executablePath: env("CHROMIUM", "/usr/bin/chromium"), args: ["--no-sandbox"] });
  const context = () => browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "de-DE" });
  const ownerContext = await context();
  const owner = await ownerContext.newPage();
  watch(owner, "owner");

  await at("1-sign-in", async () => {
    await owner.goto(`${CONSOLE}/`);
    await owner.fill("#field-email", OWNER);
    await owner.fill("#field-password", OWNER_PASSWORD);
    await owner.getByRole("button", { name: "Anmelden", exact: true }).click();
    await owner.locator("nav.nav").waitFor({ timeout: 15_000 });
  });

  await at("2-banner-and-resend", async () => {
    const banner = owner.locator("#verify-banner");
    await banner.waitFor();
    check((await banner.textContent()).includes(OWNER), "the banner does not name the address");
    await shot(owner, "banner");
    // The link sent at registration arrives first; the resent one replaces it.
    const before = (await links(OWNER, "/verify-email").catch(() => [])).length;
    await owner.locator("#resend-verification").click();
    await owner.locator(".notice", { hasText: "Ein neuer Link ist unterwegs" }).waitFor({ timeout: 10_000 });
    result.verifyLink = await newLink(OWNER, "/verify-email", Math.max(before, 1));
  });

  await at("3-verify", async () => {
    await owner.goto(result.verifyLink);
    const outcome = owner.locator("#verify-result");
    await outcome.waitFor({ timeout: 15_000 });
    const text = await outcome.textContent();
    check(text.includes("ist bestätigt"), `the link was refused: ${text}`);
    await owner.locator("#verify-banner").waitFor({ state: "detached", timeout: 10_000 });
    await shot(owner, "verified");
    // A fresh load asks the server: still confirmed.
    await owner.goto(`${CONSOLE}/`);
    await owner.locator("nav.nav").waitFor({ timeout: 15_000 });
    await owner.waitForTimeout(300);
    check((await owner.locator("#verify-banner").count()) === 0, "the banner came back after a reload");
  });

  await at("4-invite", async () => {
    await nav(owner, "/team");
    await owner.locator("#members").waitFor();
    await owner.fill("#field-invite-email", COLLEAGUE);
    await owner.locator("#field-invite-role").selectOption("STAFF");
    await owner.getByRole("button", { name: "Einladung senden" }).click();
    await owner.locator(`#invitations tr[data-email="${COLLEAGUE}"]`).waitFor({ timeout: 10_000 });
    // Someone already in the team is refused (DUPLICATE), next to the field.
    await owner.fill("#field-invite-email", OWNER);
    await owner.getByRole("button", { name: "Einladung senden" }).click();
    await owner.locator("#field-invite-email-error").waitFor({ timeout: 10_000 });
    result.duplicateMessage = await owner.locator("#field-invite-email-error").textContent();
    await shot(owner, "invited");
  });

  const colleagueContext = await context();
  const colleague = await colleagueContext.newPage();
  watch(colleague, "colleague");

  await at("5-accept-invitation", async () => {
    const link = await newLink(COLLEAGUE, "/invitation", 0);
    await colleague.goto(link);
    await colleague.getByRole("heading", { name: "Einladung annehmen" }).waitFor({ timeout: 15_000 });
    check(
      (await colleague.locator(".invitation-help").textContent()).includes("bisheriges Passwort"),
      "the page does not explain what an existing account enters",
    );
    await colleague.fill("#field-invitation-password", COLLEAGUE_PASSWORD);
    await shot(colleague, "invitation");
    await colleague.getByRole("button", { name: "Einladung annehmen" }).click();
    await colleague.locator("nav.nav").waitFor({ timeout: 15_000 });
  });

  await at("6-staff-sees-no-owner-pages", async () => {
    const hrefs = await colleague.locator("nav.nav a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    result.staffNavigation = hrefs;
    for (const path of ["/", "/leads", "/chats", "/services", "/settings"]) {
      check(hrefs.includes(path), `staff miss ${path} in the navigation: ${hrefs}`);
    }
    for (const path of OWNER_ONLY) check(!hrefs.includes(path), `staff see ${path}: ${hrefs}`);
    check((await colleague.locator("#new-location").count()) === 0, "staff are offered a new location");
    check((await colleague.locator("#verify-banner").count()) === 0, "the invitation confirmed the address, yet the banner shows");
    await nav(colleague, "/services");
    await colleague.locator("table.services-table, .empty").first().waitFor({ timeout: 10_000 });
    check((await colleague.locator("#add-service, #import-services").count()) === 0, "staff are offered catalog changes");
    check((await colleague.getByRole("button", { name: "Löschen" }).count()) === 0, "staff are offered to delete services");
    await nav(colleague, "/settings");
    await colleague.locator("#notifications").waitFor({ timeout: 10_000 });
    check((await colleague.locator("#field-name, #reminder-time").count()) === 0, "staff are offered workshop settings");
    await shot(colleague, "staff-settings");
    // An owner-only address typed in: a notice, not the page.
    await colleague.goto(`${CONSOLE}/tokens`);
    await colleague.locator("nav.nav").waitFor({ timeout: 15_000 });
    await colleague.getByText("den Inhabern der Werkstatt vorbehalten").waitFor();
  });

  await at("7-owner-sees-the-colleague", async () => {
    await owner.reload();
    const row = owner.locator(`#members tr[data-email="${COLLEAGUE}"]`);
    await row.waitFor({ timeout: 15_000 });
    check((await row.locator("select").inputValue()) === "STAFF", "the colleague is not staff");
    check((await owner.locator(`#invitations tr[data-email="${COLLEAGUE}"]`).count()) === 0, "the accepted invitation is still open");
    // The owner is the only owner: making them staff is refused (LAST_OWNER), next to the role.
    const own = owner.locator(`#members tr[data-email="${OWNER}"]`);
    await own.locator("select").selectOption("STAFF");
    await own.locator(".error").waitFor({ timeout: 10_000 });
    result.lastOwnerMessage = await own.locator(".error").textContent();
    check((await own.locator("select").inputValue()) === "OWNER", "the refused role stays chosen");
    await shot(owner, "team");
  });

  await at("7b-undeliverable-invitation", async () => {
    // The tests' SMTP server refuses this address for good: the owner is told, and withdraws it.
    const address = "bounce@autohaus-team.de";
    await owner.fill("#field-invite-email", address);
    await owner.locator("#field-invite-role").selectOption("STAFF");
    await owner.getByRole("button", { name: "Einladung senden" }).click();
    const row = owner.locator(`#invitations tr[data-email="${address}"]`);
    await row.waitFor({ timeout: 10_000 });
    let marked = false;
    for (let i = 0; i < 30 && !marked; i++) {
      await owner.waitForTimeout(500);
      await owner.reload();
      await owner.locator("#members").waitFor({ timeout: 15_000 });
      marked = (await row.getByText("Unzustellbar").count()) === 1;
    }
    check(marked, "the bounced invitation is not marked undeliverable");
    await shot(owner, "undeliverable");
    await row.getByRole("button", { name: "Zurückziehen" }).click();
    await row.getByRole("button", { name: "Ja, zurückziehen" }).click();
    await row.waitFor({ state: "detached", timeout: 10_000 });
  });

  await at("8-notification-setting", async () => {
    await nav(owner, "/settings");
    const summary = owner.locator("#notify-dailySummary");
    await summary.waitFor({ timeout: 10_000 });
    check(await summary.isChecked(), "owners get the daily summary by default");
    await summary.click();
    await owner.locator(".notice", { hasText: "Gespeichert" }).first().waitFor({ timeout: 10_000 });
    await owner.reload();
    await owner.locator("#notify-dailySummary").waitFor({ timeout: 15_000 });
    check(!(await owner.locator("#notify-dailySummary").isChecked()), "the daily summary came back on after a reload");
    check(await owner.locator("#notify-newLead").isChecked(), "another setting changed too");
    await shot(owner, "settings");
  });

  const resetContext = await context();
  const resetter = await resetContext.newPage();
  watch(resetter, "reset");

  await at("9-forgot-password", async () => {
    await resetter.goto(`${CONSOLE}/`);
    await resetter.getByRole("link", { name: "Passwort vergessen?" }).click();
    await resetter.waitForURL(`${CONSOLE}/forgot-password`);
    const before = (await links(OWNER, "/reset-password")).length;
    await resetter.fill("#field-email", OWNER);
    await resetter.getByRole("button", { name: "Link anfordern" }).click();
    await resetter.locator("#reset-sent").waitFor({ timeout: 10_000 });
    await shot(resetter, "reset-requested");
    const link = await newLink(OWNER, "/reset-password", before);
    await resetter.goto(link);
    await resetter.fill("#field-new-password", OWNER_NEW_PASSWORD);
    await resetter.getByRole("button", { name: "Passwort speichern und anmelden" }).click();
    await resetter.locator("nav.nav").waitFor({ timeout: 15_000 });
    await resetter.locator(".workshop, #workshop-switch").first().waitFor();
    // Every other session of the account ended: the first window signs in again.
    await owner.reload();
    await owner.getByRole("button", { name: "Anmelden", exact: true }).waitFor({ timeout: 15_000 });
  });

  const leadsEmpty = async (page) => {
    await nav(page, "/leads");
    await page.getByText("Noch keine Anfragen").waitFor({ timeout: 10_000 });
  };
  const current = (page) => page.locator("#workshop-switch option:checked").textContent();
  // Picks a location and waits until the console has the new session (the switch is disabled
  // while the request runs): a navigation before that would cut the request off.
  const switchTo = async (page, label) => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/graphql") && (r.request().postData() ?? "").includes("switchWorkshop")),
      page.locator("#workshop-switch").selectOption({ label }),
    ]);
    check(response.ok(), `switchWorkshop answered ${response.status()}`);
    await page.waitForFunction(() => document.querySelector("#workshop-switch")?.disabled === false);
    check((await current(page)) === label, `the header does not show ${label}`);
  };

  await at("10-location-needs-enterprise", async () => {
    // On the trial (Premium) the console says what a second location needs, and the server's
    // refusal (PLAN_LIMIT_REACHED) stays in the form with the way to the plans.
    const page = resetter;
    await page.locator("#new-location").click();
    const panel = page.locator("#new-location-panel");
    await panel.waitFor();
    await panel.locator("#location-plan-limit", { hasText: "Enterprise" }).waitFor({ timeout: 10_000 });
    check((await panel.locator('a[href="/plan"]').count()) >= 1, "no way to the plans");
    await page.fill("#field-location-name", LOCATION);
    await page.getByRole("button", { name: "Standort anlegen" }).click();
    await panel.locator(".callout.bad").waitFor({ timeout: 10_000 });
    await shot(page, "location-plan-limit");
    await panel.getByRole("button", { name: "Abbrechen" }).click();
    await panel.waitFor({ state: "detached" });
    check((await page.locator("#workshop-switch").count()) === 0, "a refused location appeared");
    const upgraded = await fetch(`${PLAN_DESK}/enterprise`, { method: "POST" });
    check(upgraded.ok, "the plan desk refused");
  });

  await at("11-new-location", async () => {
    const page = resetter;
    await nav(page, "/leads");
    await page.locator("table", { hasText: "Erika Mustermann" }).waitFor({ timeout: 10_000 });
    await page.locator("#new-location").click();
    await page.locator("#new-location-panel").waitFor();
    await page.fill("#field-location-name", LOCATION);
    await shot(page, "new-location");
    await page.getByRole("button", { name: "Standort anlegen" }).click();
    await page.locator("#workshop-switch").waitFor({ timeout: 10_000 });
    check((await current(page)) === WORKSHOP, "creating the location moved the session");
  });

  await at("12-switch", async () => {
    const page = resetter;
    await switchTo(page, LOCATION);
    await page.locator(".notice", { hasText: `Sie arbeiten jetzt in ${LOCATION}` }).first().waitFor({ timeout: 10_000 });
    await leadsEmpty(page);
    await shot(page, "location");
    // The new location is the owner's: its settings are there, with its own name.
    await nav(page, "/settings");
    await page.locator("#field-name").waitFor({ timeout: 10_000 });
    check((await page.locator("#field-name").inputValue()) === LOCATION, "the settings are not the location's");
  });

  await at("13-switch-back", async () => {
    const page = resetter;
    await switchTo(page, WORKSHOP);
    await nav(page, "/leads");
    await page.locator("table", { hasText: "Erika Mustermann" }).waitFor({ timeout: 10_000 });
  });

  await at("14-lead-link-switches-first", async () => {
    // A lead e-mail's link names the lead's workshop: opened while the session acts for the
    // other location, the console switches there first and shows the lead.
    const page = resetter;
    await switchTo(page, LOCATION);
    await page.goto(`${CONSOLE}/leads/${LEAD_ID}?workshop=${WORKSHOP_ID}`);
    await page.getByRole("heading", { name: "Erika Mustermann" }).waitFor({ timeout: 15_000 });
    check((await current(page)) === WORKSHOP, "the lead link did not switch the workshop");
    await page.waitForURL(`${CONSOLE}/leads/${LEAD_ID}`);
    await shot(page, "lead-link");
  });

  await at("15-phone", async () => {
    await resetter.setViewportSize({ width: 375, height: 740 });
    for (const [name, path] of [["team", "/team"], ["settings", "/settings"]]) {
      await resetter.goto(`${CONSOLE}${path}`);
      await resetter.locator("nav.nav").waitFor({ timeout: 15_000 });
      await resetter.waitForTimeout(400);
      await shot(resetter, `${name}-phone`);
      const overflow = await resetter.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 1, `the phone layout of ${path} scrolls sideways by ${overflow}px`);
    }
  });

  check(result.pageErrors.length === 0, `errors in the pages: ${result.pageErrors.join(" | ")}`);
  check(result.consoleErrors.length === 0, `errors in the console: ${result.consoleErrors.join(" | ")}`);
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
