/* CarBot chat widget. Plain script, no dependencies, CSP-safe: no inline styles, no eval,
 * no HTML strings. Embed and privacy notes: widget/README.md. */
(() => {
  "use strict";
  const script = document.currentScript; // only valid now, while the script first runs
  const warn = (text) => console.warn("CarBot widget: " + text);
  const key = script && script.getAttribute("data-client-key");
  if (!key) return warn("data-client-key is missing.");
  if (!("adoptedStyleSheets" in Document.prototype)) return warn("this browser is not supported.");
  // Next to the script, whether it is /widget.js or a pinned /widget/widget-<hash>.js.
  const api = new URL(script.src.replace(/\/widget(?:\/[^/?#]+)?(?:\.js)?(?:[?#].*)?$/, "/graphql")).href;
  const wsUrl = api.replace(/^http/, "ws");
  const storeKey = "carbot:" + key;
  const wantedLocale = (script.getAttribute("data-locale") || "").toLowerCase();
  // The visitor's language: the page's choice, else the browser's first one the widget speaks.
  const browserLocale = (navigator.languages || [navigator.language || ""])
    .map((l) => String(l).slice(0, 2).toLowerCase()).find((l) => l in { de: 1, en: 1, tr: 1, pl: 1 });
  const MAX = 2000;

  const STRINGS = {
    de: {
      open: "Chat öffnen", close: "Chat schließen", input: "Ihre Nachricht", send: "Senden",
      lead: "Anfrage senden", typing: "Antwort wird geschrieben …", you: "Sie", bot: "Assistent",
      staff: "Mitarbeiter", slow: "Zu viele Nachrichten, bitte kurz warten.",
      fail: "Das hat leider nicht geklappt. Bitte versuchen Sie es noch einmal.",
      taken: "Ein Mitarbeiter antwortet Ihnen jetzt persönlich.",
      released: "Der Assistent antwortet wieder.", name: "Name", phone: "Telefon",
      email: "E-Mail", make: "Marke", model: "Modell", year: "Baujahr", services: "Leistungen",
      preferredDate: "Wunschtermin", message: "Nachricht", submit: "Anfrage absenden",
      cancel: "Zurück zum Chat", required: "Bitte ausfüllen.",
      contact: "Bitte Telefon oder E-Mail angeben.", consent: "Bitte stimmen Sie zu.",
      menu: "Menü", download: "Chat herunterladen", erase: "Chat löschen",
      eraseAsk: "Diesen Chat und Ihre Anfragen daraus endgültig löschen?", eraseYes: "Ja, löschen",
      eraseNo: "Abbrechen", erased: "Ihr Chat wurde gelöscht.", privacy: "Datenschutz",
      thanks: "Vielen Dank! Ihre Anfrage ist angekommen, wir melden uns bald bei Ihnen.",
    },
    en: {
      open: "Open chat", close: "Close chat", input: "Your message", send: "Send",
      lead: "Send a request", typing: "Writing a reply …", you: "You", bot: "Assistant",
      staff: "Staff", slow: "Too many messages, please wait a moment.",
      fail: "Sorry, that did not work. Please try again.",
      taken: "A member of staff is now answering you personally.",
      released: "The assistant is answering again.", name: "Name", phone: "Phone",
      email: "E-mail", make: "Make", model: "Model", year: "Year", services: "Services",
      preferredDate: "Preferred date", message: "Message", submit: "Send request",
      cancel: "Back to chat", required: "Please fill this in.",
      contact: "Please give a phone number or an e-mail address.", consent: "Please agree.",
      menu: "Menu", download: "Download chat", erase: "Delete chat",
      eraseAsk: "Delete this chat and the requests you sent from it for good?", eraseYes: "Yes, delete",
      eraseNo: "Cancel", erased: "Your chat has been deleted.", privacy: "Privacy",
      thanks: "Thank you! We have your request and will get back to you soon.",
    },
    tr: {
      open: "Sohbeti aç", close: "Sohbeti kapat", input: "Mesajınız", send: "Gönder",
      lead: "Talep gönder", typing: "Yanıt yazılıyor …", you: "Siz", bot: "Asistan",
      staff: "Çalışan", slow: "Çok fazla mesaj, lütfen biraz bekleyin.",
      fail: "Maalesef olmadı. Lütfen tekrar deneyin.",
      taken: "Bir çalışanımız size artık kişisel olarak yanıt veriyor.",
      released: "Asistan yeniden yanıt veriyor.", name: "Ad soyad", phone: "Telefon",
      email: "E-posta", make: "Marka", model: "Model", year: "Model yılı", services: "Hizmetler",
      preferredDate: "Tercih edilen tarih", message: "Mesaj", submit: "Talebi gönder",
      cancel: "Sohbete dön", required: "Lütfen doldurun.",
      contact: "Lütfen telefon veya e-posta girin.", consent: "Lütfen onay verin.",
      menu: "Menü", download: "Sohbeti indir", erase: "Sohbeti sil",
      eraseAsk: "Bu sohbet ve buradan gönderdiğiniz talepler kalıcı olarak silinsin mi?", eraseYes: "Evet, sil",
      eraseNo: "Vazgeç", erased: "Sohbetiniz silindi.", privacy: "Gizlilik",
      thanks: "Teşekkürler! Talebiniz bize ulaştı, en kısa sürede size dönüş yapacağız.",
    },
    pl: {
      open: "Otwórz czat", close: "Zamknij czat", input: "Twoja wiadomość", send: "Wyślij",
      lead: "Wyślij zapytanie", typing: "Trwa pisanie odpowiedzi …", you: "Ty", bot: "Asystent",
      staff: "Pracownik", slow: "Zbyt wiele wiadomości, proszę chwilę poczekać.",
      fail: "Niestety się nie udało. Spróbuj ponownie.",
      taken: "Pracownik odpowiada teraz osobiście.",
      released: "Asystent znów odpowiada.", name: "Imię i nazwisko", phone: "Telefon",
      email: "E-mail", make: "Marka", model: "Model", year: "Rok produkcji", services: "Usługi",
      preferredDate: "Preferowany termin", message: "Wiadomość", submit: "Wyślij zapytanie",
      cancel: "Wróć do czatu", required: "Proszę wypełnić.",
      contact: "Podaj telefon lub e-mail.", consent: "Proszę wyrazić zgodę.",
      menu: "Menu", download: "Pobierz czat", erase: "Usuń czat",
      eraseAsk: "Trwale usunąć ten czat i wysłane z niego zapytania?", eraseYes: "Tak, usuń",
      eraseNo: "Anuluj", erased: "Twój czat został usunięty.", privacy: "Prywatność",
      thanks: "Dziękujemy! Otrzymaliśmy zapytanie i wkrótce się odezwiemy.",
    },
  };

  // The widget's documents by name: their SHA-256 hashes, which the server fills in from
  // widget/documents.graphql when it serves this script (README: Trusted documents).
  const Q = /*documents*/{}/*end*/;

  // Resolves to `data`; rejects with an Error carrying the GraphQL `extensions.code`.
  const persisted = (hash) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
  async function gql(query, variables, token) {
    const headers = {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
    };
    if (token) headers.Authorization = "Bearer " + token;
    let status = 0;
    let body = null;
    try {
      const res = await fetch(api, {
        method: "POST", headers, credentials: "omit", body: JSON.stringify({ variables, extensions: persisted(query) }),
      });
      status = res.status;
      body = await res.json();
    } catch (_) { /* network failure or a body that is not JSON */ }
    const error = body && body.errors && body.errors[0];
    if (error || !body || !body.data) {
      const code = (error && error.extensions && error.extensions.code) ||
        { 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 429: "RATE_LIMITED" }[status] || "NETWORK";
      throw failure(code, error && error.message);
    }
    return body.data;
  }
  const randomId = () =>
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const failure = (code, message) => Object.assign(new Error(message || code), { code });
  // A visitor token that no longer opens its conversation.
  const refused = (code) => code === "UNAUTHENTICATED" || code === "FORBIDDEN" || code === "NOT_FOUND";

  const visitorLocale = ["de", "en", "tr", "pl"].includes(wantedLocale) ? wantedLocale : browserLocale;
  gql(Q.WidgetConfig, { key, locale: visitorLocale ? visitorLocale.toUpperCase() : null }).then(
    (data) => {
      if (!data.widgetConfig) return warn("disabled (NOT_FOUND).");
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", () => mount(data.widgetConfig));
      } else mount(data.widgetConfig);
    },
    (e) => warn(`disabled (${e.code}).`),
  );

  function mount(config) {
    if (document.getElementById("carbot-widget")) return; // embedded twice
    const lang = [visitorLocale, (config.locale || "").toLowerCase()].find((l) => STRINGS[l]) || "de";
    const t = STRINGS[lang];

    const el = (tag, props, ...kids) => {
      const node = document.createElement(tag);
      for (const [name, value] of Object.entries(props || {})) {
        if (value == null || value === false) continue;
        if (name === "text") node.textContent = value;
        else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? "" : value);
      }
      node.append(...kids.filter(Boolean));
      return node;
    };
    const svgPath = (d) => {
      const ns = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(ns, "svg");
      const path = document.createElementNS(ns, "path");
      svg.setAttribute("viewBox", "0 0 24 24");
      svg.setAttribute("aria-hidden", "true");
      path.setAttribute("d", d);
      svg.append(path);
      return svg;
    };

    // ---- shell -------------------------------------------------------------------------------
    const host = el("carbot-widget", {
      id: "carbot-widget",
      lang,
      "data-position": config.position === "BOTTOM_LEFT" ? "left" : "right",
    });
    if (/^#[0-9a-f]{6}$/i.test(config.primaryColor || "")) {
      const rgb = parseInt(config.primaryColor.slice(1), 16);
      const brightness = 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
      host.style.setProperty("--cb-primary", config.primaryColor);
      host.style.setProperty("--cb-on", brightness > 150 ? "#111" : "#fff");
    }
    const root = host.attachShadow({ mode: "open" });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];

    const launcher = el("button", {
      type: "button", class: "launcher", "aria-label": t.open, "aria-expanded": "false",
      "aria-controls": "cb-panel", onclick: () => toggle(!isOpen),
    }, svgPath("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"));
    const log = el("div", { class: "log", role: "log", "aria-live": "polite" });
    const status = el("p", { class: "status", role: "status" });
    const input = el("textarea", {
      rows: "1", maxlength: String(MAX), "aria-label": t.input, placeholder: t.input,
      "aria-describedby": "cb-count", enterkeyhint: "send",
      onkeydown: (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
      },
      oninput: () => {
        const n = input.value.length;
        count.textContent = n >= MAX - 200 ? `${n}/${MAX}` : "";
      },
    });
    const count = el("span", { id: "cb-count", class: "count" });
    const typing = el("div", { class: "msg typing", "data-role": "ASSISTANT" },
      el("span", { class: "sr", text: t.typing }), el("i"), el("i"), el("i"));
    const form = leadForm();
    const menu = privacyMenu();
    const panel = el("section", { id: "cb-panel", class: "panel", role: "dialog", "aria-labelledby": "cb-title", hidden: true },
      el("header", {},
        el("h2", { id: "cb-title", text: config.workshopName || "Chat" }),
        menu.button,
        el("button", { type: "button", class: "x", "aria-label": t.close, text: "×", onclick: () => toggle(false) })),
      menu.node, log, form.node, status,
      el("div", { class: "actions" },
        el("button", { type: "button", class: "link", text: t.lead, onclick: () => form.show() }), count),
      el("div", { class: "bar" }, input,
        el("button", { type: "button", class: "btn", text: t.send, onclick: () => send() })));
    root.append(launcher, panel);
    root.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && isOpen) { e.preventDefault(); toggle(false); }
    });
    document.body.append(host);

    // ---- transcript --------------------------------------------------------------------------
    const bubbles = new Map(); // message id (or streaming reply id) → element
    const pending = []; // { node, body } of sent visitor messages not yet confirmed by an id
    const cursorsSeen = new Set();
    const cited = new Map(); // service id → { name, price }
    let lastCited = [];
    let vehicle = null; // what the chat told about the visitor's car, for the request form
    let takenOver = false;

    const scrollDown = () => { log.scrollTop = log.scrollHeight; };
    const put = (node) => {
      log.append(node);
      if (typing.isConnected) log.append(typing); // the indicator stays last
      scrollDown();
    };
    const who = { VISITOR: t.you, ASSISTANT: t.bot, OWNER: t.staff };
    const bubble = (role, body) => {
      const text = el("div", { class: "text", text: body });
      const node = el("div", { class: "msg", "data-role": role }, el("span", { class: "sr", text: (who[role] || t.bot) + ": " }), text);
      node.text = text;
      return node;
    };
    const note = (text, cls) => put(el("p", { class: "notice " + (cls || ""), text }));
    const showTyping = (on) => (on && !takenOver ? put(typing) : typing.remove());
    const greeting = config.greeting && bubble("ASSISTANT", config.greeting);
    if (greeting) log.append(greeting);

    const money = (m) => new Intl.NumberFormat(lang, {
      style: "currency", currency: m.currency, maximumFractionDigits: m.amountCents % 100 ? 2 : 0,
    }).format(m.amountCents / 100);
    const price = (p) => !p ? "" : p.isFixed || p.min.amountCents === p.max.amountCents
      ? money(p.min) : `${money(p.min)} – ${money(p.max)}`;

    function show(m) {
      if (!m || !m.id) return;
      let node = bubbles.get(m.id);
      if (node && !node.classList.contains("streaming")) return; // already shown
      const mine = !node && m.role === "VISITOR" ? pending.findIndex((p) => p.body === m.body) : -1;
      if (mine >= 0) { // the visitor's own message, shown while it was being sent
        node = pending.splice(mine, 1)[0].node;
        node.classList.remove("pending");
        node.setAttribute("data-id", m.id);
        bubbles.set(m.id, node);
        return;
      }
      const fresh = bubble(m.role, m.body);
      fresh.setAttribute("data-id", m.id);
      if (node) node.replaceWith(fresh); // a new node, so screen readers announce the final text once
      else put(fresh);
      bubbles.set(m.id, fresh);
      const services = m.citedServices || [];
      if (services.length) {
        lastCited = services.map((s) => s.id);
        fresh.append(el("ul", { class: "cites" }, ...services.map((s) => {
          cited.set(s.id, s);
          return el("li", { text: s.name + (s.price ? ": " + price(s.price) : "") });
        })));
      }
      if (m.offerLeadForm) {
        fresh.append(el("button", { type: "button", class: "btn offer", text: t.lead, onclick: () => form.show() }));
      }
      if (m.role !== "VISITOR") {
        showTyping(false);
        if (!isOpen) launcher.classList.add("unread");
      }
      scrollDown();
    }

    function chunk(replyId, text) {
      let node = bubbles.get(replyId);
      if (!node) {
        node = bubble("ASSISTANT", "");
        node.classList.add("streaming");
        node.setAttribute("aria-hidden", "true"); // announced once, when the final message replaces it
        bubbles.set(replyId, node);
        showTyping(false);
        put(node);
      }
      if (node.classList.contains("streaming")) node.text.textContent += text || "";
      scrollDown();
    }

    function onEvent(ev) {
      if (!ev) return;
      if (ev.cursor) {
        if (cursorsSeen.has(ev.cursor)) return;
        cursorsSeen.add(ev.cursor);
        seen = ev.cursor;
        if (conv) { conv.cursor = ev.cursor; save(); }
      }
      if (ev.kind === "MESSAGE") show(ev.message);
      else if (ev.kind === "REPLY_CHUNK") chunk(ev.replyId, ev.chunk);
      else if (ev.kind === "TAKEN_OVER" || ev.kind === "RELEASED") {
        takenOver = ev.kind === "TAKEN_OVER";
        if (takenOver) showTyping(false);
        note(takenOver ? t.taken : t.released);
      } else if (ev.kind === "ERASED" && conv) wiped();
    }

    // ---- conversation state (nothing is stored before the first open) -----------------------
    let conv = load(); // { conversationId, visitorToken, cursor }
    let starting = null;
    let isOpen = false;
    let sending = false;

    function load() {
      try {
        const state = JSON.parse(localStorage.getItem(storeKey));
        return state && state.conversationId && state.visitorToken ? state : null;
      } catch (_) { return null; }
    }
    function save() {
      try { localStorage.setItem(storeKey, JSON.stringify(conv)); } catch (_) { /* storage off */ }
    }
    // The chat was erased (here, or by the workshop): its texts leave the screen too.
    let wipes = 0;
    function wiped() { forget(); note(t.erased); wipes += 1; }
    // The token was refused: forget the conversation; the next open or message starts a new one.
    function forget() {
      try { localStorage.removeItem(storeKey); } catch (_) { /* storage off */ }
      conv = null;
      seen = null;
      disconnect();
      bubbles.clear();
      cursorsSeen.clear();
      pending.length = 0;
      takenOver = false;
      log.replaceChildren(...(greeting ? [greeting] : []));
    }
    // Origin and path only (queries can carry personal data); none for pages without an http(s)
    // address, such as the console's preview frame.
    function page() {
      return /^https?:/.test(location.protocol) ? location.origin + location.pathname : null;
    }
    function ensureConversation() {
      if (conv) { connect(); return Promise.resolve(conv); }
      starting = starting || gql(Q.StartConversation, {
        input: { clientKey: key, locale: lang.toUpperCase(), pageUrl: page() },
      }).then((data) => {
        const p = data.startConversation;
        if (p.userErrors.length) throw failure(p.userErrors[0].code, p.userErrors[0].message);
        conv = { conversationId: p.conversation.id, visitorToken: p.visitorToken, cursor: null };
        save();
        connect();
        return conv;
      }).finally(() => { starting = null; });
      return starting;
    }
    const explain = (e) => { status.textContent = e.code === "RATE_LIMITED" ? t.slow : t.fail; };

    function toggle(open) {
      isOpen = open;
      panel.hidden = !open;
      host.toggleAttribute("data-open", open);
      launcher.setAttribute("aria-expanded", String(open));
      launcher.setAttribute("aria-label", open ? t.close : t.open);
      if (!open) return launcher.focus();
      launcher.classList.remove("unread");
      // Counted in the workshop's analytics; a failure here must not disturb the chat.
      gql(Q.Opened, { input: { clientKey: key, pageUrl: page() } }).catch(() => {});
      form.open ? form.focus() : input.focus();
      scrollDown();
      ensureConversation().catch(explain);
    }

    async function send(retried) {
      const body = input.value.trim();
      if (!body || sending) return;
      sending = true;
      status.textContent = "";
      input.value = "";
      count.textContent = "";
      const node = bubble("VISITOR", body);
      node.classList.add("pending");
      const mine = { node, body };
      pending.push(mine);
      put(node);
      showTyping(true);
      let again = false;
      try {
        const c = await ensureConversation();
        const p = (await gql(Q.SendMessage, { input: { conversationId: c.conversationId, body } }, c.visitorToken)).sendMessage;
        if (p.userErrors.length) throw failure(p.userErrors[0].code, p.userErrors[0].message);
        show(p.message);
        show(p.reply);
        if (p.vehicle) vehicle = p.vehicle;
      } catch (e) {
        const i = pending.indexOf(mine);
        if (i >= 0) pending.splice(i, 1);
        node.remove();
        if (!input.value) input.value = body;
        if (refused(e.code) && conv) { forget(); again = !retried; }
        if (e.code === "TOO_LONG") status.textContent = e.message;
        else if (!again) explain(e);
      } finally {
        sending = false;
        showTyping(false);
      }
      if (again) send(true);
    }

    // ---- live events: graphql-transport-ws ---------------------------------------------------
    let ws = null;
    let seen = null; // last cursor seen on this page; null → replay everything ("0")
    let attempt = 0;
    let retryTimer = 0;

    function connect() {
      if (!conv || ws || retryTimer) return;
      const c = conv;
      const sock = (ws = new WebSocket(wsUrl, "graphql-transport-ws"));
      const out = (message) => sock.send(JSON.stringify(message));
      sock.onopen = () => out({ type: "connection_init", payload: { authorization: "Bearer " + c.visitorToken } });
      sock.onmessage = (e) => {
        if (ws !== sock) return;
        let m;
        try { m = JSON.parse(e.data); } catch (_) { return; }
        if (m.type === "connection_ack") {
          attempt = 0;
          out({ id: "1", type: "subscribe", payload: { variables: { id: c.conversationId, after: seen || "0" }, extensions: persisted(Q.ConversationEvents) } });
        } else if (m.type === "ping") out({ type: "pong" });
        else if (m.type === "next" || m.type === "error") {
          const errors = m.type === "error" ? m.payload : m.payload && m.payload.errors;
          const code = errors && errors[0] && errors[0].extensions && errors[0].extensions.code;
          if (errors && errors.length) {
            if (code === "BAD_REQUEST") seen = null; // e.g. a cursor the server no longer knows
            return refused(code) ? forget() : retry(sock);
          }
          onEvent(m.payload.data && m.payload.data.conversationEvents);
        } else if (m.type === "complete") retry(sock);
      };
      sock.onclose = (e) => {
        if (ws !== sock) return;
        ws = null;
        if (e.code === 4401 || e.code === 4403) forget();
        else retry(sock);
      };
    }
    function disconnect() {
      clearTimeout(retryTimer);
      retryTimer = 0;
      const sock = ws;
      ws = null;
      if (sock) sock.close(1000);
    }
    // Reconnect after 1 s, 2 s, 4 s … at most 30 s, with jitter; resubscribes after `seen`.
    function retry(sock) {
      if (ws === sock) disconnect();
      if (!conv || retryTimer) return;
      const delay = Math.min(30000, 1000 * 2 ** attempt++);
      retryTimer = setTimeout(() => { retryTimer = 0; connect(); }, delay * (0.5 + Math.random() / 2));
    }

    // ---- lead form ---------------------------------------------------------------------------
    // The visitor's own data: download the chat, delete it, read the privacy notice.
    function privacyMenu() {
      const item = (text, onclick) => el("button", { type: "button", class: "item", role: "menuitem", text, onclick });
      const ask = el("div", { class: "ask", hidden: true },
        el("p", { text: t.eraseAsk }),
        el("button", { type: "button", class: "btn", text: t.eraseYes, onclick: () => erase() }),
        el("button", { type: "button", class: "link", text: t.eraseNo, onclick: () => close() }));
      const list = el("div", { class: "items", role: "menu" },
        item(t.download, () => download()),
        item(t.erase, () => { list.hidden = true; ask.hidden = false; ask.querySelector("button").focus(); }),
        /^https?:\/\//.test(config.privacyNoticeUrl || "")
          ? el("a", { class: "item", role: "menuitem", href: config.privacyNoticeUrl, target: "_blank", rel: "noopener", text: t.privacy })
          : null);
      const node = el("div", { class: "menu", hidden: true }, list, ask);
      const button = el("button", {
        type: "button", class: "x", "aria-label": t.menu, "aria-haspopup": "menu", "aria-expanded": "false", text: "⋮",
        onclick: () => (node.hidden ? open() : close()),
      });
      function open() {
        node.hidden = false; list.hidden = false; ask.hidden = true;
        button.setAttribute("aria-expanded", "true");
        list.querySelector(".item").focus();
      }
      function close() {
        node.hidden = true;
        button.setAttribute("aria-expanded", "false");
      }
      async function download() {
        close();
        if (!conv) return;
        try {
          const data = await gql(Q.Download, { id: conv.conversationId }, conv.visitorToken);
          const url = URL.createObjectURL(new Blob([data.visitorConversationExport], { type: "application/json" }));
          const a = el("a", { href: url, download: "chat.json", hidden: true });
          root.append(a);
          a.click();
          a.remove();
          setTimeout(() => URL.revokeObjectURL(url), 10000);
        } catch (e) { explain(e); }
      }
      async function erase() {
        close();
        const before = wipes;
        if (conv) {
          try {
            await gql(Q.Erase, { input: { conversationId: conv.conversationId } }, conv.visitorToken);
          } catch (e) {
            if (!refused(e.code)) return explain(e);
          }
        }
        // Once: the ERASED event may have come first (the socket's close may too, saying nothing).
        if (wipes === before) wiped();
      }
      return { node, button };
    }

    function leadForm() {
      const fields = Object.create(null); // keyed by the last segment of a userError field path
      const field = (name, attrs, tag) => {
        const control = el(tag || "input", {
          id: "cb-f-" + name, name, "aria-describedby": "cb-e-" + name, ...attrs,
        });
        const error = el("p", { id: "cb-e-" + name, class: "err" });
        fields[name] = { control, error };
        return el("div", { class: "field" }, el("label", { for: "cb-f-" + name, text: t[name] }), control, error);
      };
      const today = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10);
      const serviceList = el("div", { class: "services" });
      const servicesBox = el("fieldset", { hidden: true }, el("legend", { text: t.services }), serviceList);
      const consent = el("input", {
        type: "checkbox", id: "cb-f-consent", name: "consent", required: true, "aria-describedby": "cb-e-consent",
      });
      fields.consent = { control: consent, error: el("p", { id: "cb-e-consent", class: "err" }) };
      const general = el("p", { class: "err", role: "alert" });
      const submit = el("button", { type: "submit", class: "btn", text: t.submit });
      const node = el("form", { class: "lead", novalidate: true, "aria-label": t.lead, onsubmit: (e) => { e.preventDefault(); submitLead(); } },
        el("h3", { text: t.lead }),
        field("name", { autocomplete: "name", required: true }),
        el("div", { class: "row" },
          field("phone", { type: "tel", autocomplete: "tel" }),
          field("email", { type: "email", autocomplete: "email" })),
        el("div", { class: "row" },
          field("make", { autocomplete: "off" }), field("model", { autocomplete: "off" }),
          field("year", { type: "number", inputmode: "numeric", min: "1900", max: String(new Date().getFullYear() + 1) })),
        servicesBox,
        field("preferredDate", { type: "date", min: today }),
        field("message", { rows: "3", maxlength: String(MAX) }, "textarea"),
        el("div", { class: "field check" }, consent,
          el("label", { for: "cb-f-consent", text: config.consentText || t.consent })),
        fields.consent.error, general,
        el("div", { class: "row end" },
          el("button", { type: "button", class: "btn ghost", text: t.cancel, onclick: () => hide() }), submit));

      const setError = (name, message) => {
        const f = fields[name];
        if (!f) { general.textContent = message; return; }
        f.error.textContent = message;
        f.control.setAttribute("aria-invalid", "true");
      };
      const clearErrors = () => {
        general.textContent = "";
        for (const f of Object.values(fields)) { f.error.textContent = ""; f.control.removeAttribute("aria-invalid"); }
      };
      const focusInvalid = () => (node.querySelector("[aria-invalid=true]") || submit).focus();
      const value = (name) => fields[name].control.value.trim() || null;

      const self = {
        node,
        open: false,
        focus: () => fields.name.control.focus(),
        show() {
          serviceList.replaceChildren(...[...cited.values()].map((s) => el("label", { class: "check" },
            el("input", { type: "checkbox", name: "service", value: s.id, checked: lastCited.includes(s.id) }),
            s.name + (s.price ? " (" + price(s.price) + ")" : ""))));
          servicesBox.hidden = !cited.size;
          // The car named in the chat, where the visitor has not typed one yet.
          const keys = vehicle && !vehicle.model && vehicle.hsn ? "HSN " + vehicle.hsn + (vehicle.tsn ? " / TSN " + vehicle.tsn : "") : null;
          const known = vehicle ? { make: vehicle.make, model: vehicle.model || keys, year: vehicle.year } : {};
          for (const k of ["make", "model", "year"]) {
            if (known[k] != null && !fields[k].control.value) fields[k].control.value = String(known[k]);
          }
          self.open = true;
          panel.classList.add("form");
          self.focus();
        },
      };
      function hide() {
        self.open = false;
        panel.classList.remove("form");
        input.focus();
        scrollDown();
      }

      let submission = null; // the id of the submission not yet answered
      async function submitLead(retried) {
        clearErrors();
        if (!value("name")) setError("name", t.required);
        if (!value("phone") && !value("email")) setError("phone", t.contact);
        if (!consent.checked) setError("consent", t.consent);
        if (node.querySelector("[aria-invalid=true]")) return focusInvalid();
        const year = value("year");
        const vehicle = value("make") || value("model") || year
          ? { make: value("make"), model: value("model"), year: year ? parseInt(year, 10) : null } : null;
        const lead = {
          name: value("name"), email: value("email"), phone: value("phone"), vehicle,
          serviceIds: [...serviceList.querySelectorAll("input:checked")].map((c) => c.value),
          preferredDate: value("preferredDate"), message: value("message"), consent: true,
          consentVersion: config.consentVersion || null,
          // The same id when sent again after a network error: the lead is stored once.
          submissionId: submission || (submission = randomId()),
        };
        submit.disabled = true;
        let again = false;
        try {
          const c = await ensureConversation();
          lead.conversationId = c.conversationId;
          const p = (await gql(Q.SubmitLead, { input: lead }, c.visitorToken)).submitLead;
          if (p.userErrors.length) {
            for (const u of p.userErrors) {
              const last = (u.field || []).slice(-1)[0];
              setError(last === "vehicle" ? "make" : last, u.message); // unknown paths: general
            }
            return focusInvalid();
          }
          submission = null;
          node.reset();
          hide();
          note(t.thanks, "thanks");
        } catch (e) {
          // A refused token must not lose the lead: start a new conversation and submit again.
          if (refused(e.code) && conv && !retried) { forget(); again = true; }
          else general.textContent = e.code === "RATE_LIMITED" ? t.slow : t.fail;
        } finally {
          submit.disabled = false;
        }
        if (again) submitLead(true);
      }
      return self;
    }
  }

  const CSS = `
:host{all:initial;--cb-primary:#1f5fbf;--cb-on:#fff;--bg:#fff;--fg:#1b1c1f;--muted:#5d6169;--bubble:#eef0f4;--line:#cfd3da;--err:#b3261e;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg)}
@media (prefers-color-scheme:dark){:host{--bg:#1c1e22;--fg:#eceef2;--muted:#a7acb6;--bubble:#2d3037;--line:#474b54;--err:#ffb4ab}}
*{box-sizing:border-box}
[hidden]{display:none!important}
button,input,textarea{font:inherit;color:inherit}
input,textarea{font-size:16px}
:focus-visible{outline:3px solid var(--cb-primary);outline-offset:2px}
header :focus-visible{outline-color:var(--cb-on)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.launcher{position:fixed;z-index:2147483000;bottom:20px;right:20px;width:56px;height:56px;border:0;border-radius:50%;display:grid;place-items:center;background:var(--cb-primary);color:var(--cb-on);box-shadow:0 4px 14px #0005;cursor:pointer;transition:transform .15s}
.launcher:hover{transform:scale(1.06)}
.launcher svg{width:28px;height:28px;fill:currentColor}
.launcher.unread::after{content:"";position:absolute;top:3px;right:3px;width:12px;height:12px;border:2px solid #fff;border-radius:50%;background:#d93036}
:host([data-position=left]) .launcher{right:auto;left:20px}
.panel{position:fixed;z-index:2147483000;inset:0;display:flex;flex-direction:column;background:var(--bg);color:var(--fg);animation:cb-in .18s ease-out}
@media (max-width:479px){:host([data-open]) .launcher{display:none}}
@media (min-width:480px){
.panel{inset:auto 20px 88px auto;width:380px;height:min(620px,calc(100vh - 108px));border-radius:14px;box-shadow:0 12px 40px #0006;overflow:hidden}
:host([data-position=left]) .panel{inset:auto auto 88px 20px}}
@keyframes cb-in{from{opacity:0;transform:translateY(12px)}}
header{display:flex;align-items:center;gap:8px;padding:10px 8px 10px 16px;background:var(--cb-primary);color:var(--cb-on)}
h2{flex:1;margin:0;font-size:16px;font-weight:600}
h3{margin:0;font-size:16px}
.x{width:40px;height:40px;border:0;border-radius:8px;background:none;font-size:26px;line-height:1;cursor:pointer}
.menu{padding:8px 16px;border-bottom:1px solid var(--line)}
.items{display:flex;flex-direction:column}
.item{display:block;padding:8px 4px;border:0;background:none;text-align:left;color:inherit;text-decoration:none;cursor:pointer}
.ask p{margin:4px 0 8px}
.log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px;display:flex;flex-direction:column;gap:8px}
.msg{align-self:flex-start;max-width:85%;padding:8px 12px;border-radius:14px 14px 14px 4px;background:var(--bubble);white-space:pre-wrap;overflow-wrap:anywhere}
.msg[data-role=VISITOR]{align-self:flex-end;border-radius:14px 14px 4px 14px;background:var(--cb-primary);color:var(--cb-on)}
.msg[data-role=OWNER]{box-shadow:inset 3px 0 var(--cb-primary)}
.pending{opacity:.65}
.cites{margin:6px 0 0;padding:0;list-style:none;font-size:13px;color:var(--muted);white-space:normal}
.offer{display:block;min-height:36px;margin-top:8px;padding:6px 12px;font-size:14px}
.typing i{display:inline-block;width:7px;height:7px;margin:0 2px;border-radius:50%;background:var(--muted);animation:cb-dot 1s infinite}
.typing i:nth-of-type(2){animation-delay:.2s}
.typing i:nth-of-type(3){animation-delay:.4s}
@keyframes cb-dot{50%{opacity:.25}}
.notice{align-self:center;margin:4px 0;font-size:13px;text-align:center;color:var(--muted)}
.thanks{padding:8px 12px;border-radius:10px;background:var(--bubble);color:var(--fg)}
.status{margin:0;padding:4px 16px;font-size:13px;color:var(--err)}
.status:empty,.err:empty,.count:empty{display:none}
.actions{display:flex;justify-content:space-between;align-items:center;gap:8px;padding:2px 12px}
.link{border:0;padding:6px 4px;background:none;color:var(--fg);font-size:14px;font-weight:600;text-decoration:underline;cursor:pointer}
.count{font-size:12px;color:var(--muted)}
.bar{display:flex;align-items:flex-end;gap:8px;padding:6px 12px 12px}
.bar textarea{flex:1;min-height:44px;max-height:130px;field-sizing:content;resize:none}
textarea,input:not([type=checkbox]){width:100%;padding:9px 11px;border:1px solid var(--line);border-radius:10px;background:var(--bg)}
.btn{min-height:44px;padding:8px 16px;border:0;border-radius:10px;background:var(--cb-primary);color:var(--cb-on);font-weight:600;cursor:pointer}
.btn.ghost{background:none;color:var(--fg);box-shadow:inset 0 0 0 1px var(--line)}
.btn:disabled{opacity:.55;cursor:default}
.panel.form .log,.panel.form .actions,.panel.form .bar,.panel.form .status{display:none}
.lead{display:none;flex:1;overflow-y:auto;padding:16px;flex-direction:column;gap:12px}
.panel.form .lead{display:flex}
.field{display:flex;flex-direction:column;gap:4px;min-width:0}
.row{display:flex;gap:8px}
.row>*{flex:1}
.end{justify-content:flex-end}
.end>*{flex:none}
label,legend{font-size:13px;font-weight:600}
fieldset{margin:0;padding:0;border:0}
legend{margin-bottom:4px;padding:0}
.check{display:flex;flex-direction:row;align-items:flex-start;gap:8px;font-weight:400}
.check label{font-weight:400}
input[type=checkbox]{flex:none;width:20px;height:20px;margin:1px 0 0;accent-color:var(--cb-primary)}
[aria-invalid=true]{border-color:var(--err)!important;outline-color:var(--err)}
.err{margin:0;font-size:13px;color:var(--err)}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
`;
})();
