// No lost edits on the article form (articles/editing.py). The title, lead and body are copied into this
// browser's localStorage as they are typed, and offered back when the form opens without them: after a
// reload, a crash, a closed tab or a login that expired. A heartbeat tells the server the form is open,
// shows who else is editing, and notices when the login has expired. Loaded on the article list too,
// where it only forgets the copy that the last save stored (the cookie nr_saved_copy names it).
"use strict";

(() => {
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((text) => text);
  const PREFIX = "newsroom:copy:";
  const KEEP_FOR = 30 * 24 * 3600 * 1000; // a copy nobody came back to in a month is dropped
  const FIELDS = ["title", "lead", "body"];

  const storage = (() => {
    try {
      const store = window.localStorage;
      store.getItem(PREFIX);
      return store;
    } catch {
      return null; // storage turned off (private mode, policy): the rest still works
    }
  })();

  const read = (key) => {
    try {
      const copy = JSON.parse(storage.getItem(key));
      return copy && typeof copy === "object" && typeof copy.at === "number" ? copy : null;
    } catch {
      return null;
    }
  };

  const write = (key, copy) => {
    try {
      storage.setItem(key, JSON.stringify(copy));
    } catch {
      // Full or refused: nothing better to do than to keep the form as it is.
    }
  };

  const cookie = (name) => {
    const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  };

  // Copies the last save stored, and copies too old to matter, are forgotten on every page that loads this.
  const forgetStoredCopies = () => {
    const saved = cookie("nr_saved_copy");
    if (saved) document.cookie = "nr_saved_copy=; path=/; max-age=0; samesite=lax";
    if (!storage) return;
    const now = Date.now();
    for (const key of Object.keys(storage)) {
      if (!key.startsWith(PREFIX)) continue;
      const copy = read(key);
      if (!copy || now - copy.at > KEEP_FOR || (saved && key.endsWith(`:${saved}`))) storage.removeItem(key);
    }
  };

  // Vietnam time, as the rest of the admin shows it (docs/architecture.md, "Time"): HH:MM today, else with the date.
  const VIETNAM = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Ho_Chi_Minh",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const clock = (at) => {
    const parts = (moment) =>
      Object.fromEntries(VIETNAM.formatToParts(moment).map((part) => [part.type, part.value]));
    const then = parts(new Date(at));
    const now = parts(new Date());
    const date = (p) => `${p.day}/${p.month}/${p.year}`;
    const time = `${then.hour}:${then.minute}`;
    return date(then) === date(now) ? time : `${date(then)} ${time}`;
  };

  // The body as a reader would see it: the sanitiser and the editor write the same text with different
  // attributes (rel, target, class) and empty paragraphs, which must not make a saved copy look unsaved.
  const KEPT_ATTRIBUTES = ["href", "src", "alt", "colspan", "rowspan", "start", "type"];
  const canonical = (html) => {
    const doc = new DOMParser().parseFromString(`<body>${html || ""}</body>`, "text/html");
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) return node.data.replace(/\s+/g, " ");
      if (node.nodeType !== Node.ELEMENT_NODE) return "";
      const attributes = KEPT_ATTRIBUTES.filter((name) => node.hasAttribute(name))
        .map((name) => ` ${name}="${node.getAttribute(name)}"`)
        .join("");
      return `<${node.localName}${attributes}>${[...node.childNodes].map(walk).join("")}</${node.localName}>`;
    };
    return [...doc.body.childNodes]
      .map(walk)
      .join("")
      .replace(/<p>\s*<\/p>/g, "")
      .trim();
  };
  const plain = (text) => (text || "").replace(/\s+/g, " ").trim();
  const same = (a, b) => plain(a.title) === plain(b.title) && plain(a.lead) === plain(b.lead) && canonical(a.body) === canonical(b.body);

  const start = () => {
    forgetStoredCopies();
    const root = document.getElementById("nr-editing");
    if (!root) return;
    const form = root.closest("form");
    const user = root.dataset.user;
    const field = (name) => form.elements.namedItem(name);
    const csrf = () => cookie("csrftoken") || (field("csrfmiddlewaretoken") || {}).value || "";

    if (root.dataset.editable === "1" && storage && field("title")) keepLocalCopy(root, form, user, field);
    if (root.dataset.heartbeatUrl) heartbeat(root, form, field, csrf);

    // A login made again in another tab gives this browser a new CSRF secret: every form of the page (the
    // article's, the workflow buttons') sends the current one, so it is not refused as forged; the
    // heartbeat reads the same cookie.
    document.addEventListener(
      "submit",
      (event) => {
        const token = cookie("csrftoken");
        const input = event.target.elements && event.target.elements.namedItem("csrfmiddlewaretoken");
        if (token && input) input.value = token;
      },
      true,
    );
  };

  // The local copy ------------------------------------------------------------------------------

  const keepLocalCopy = (root, form, user, field) => {
    const articleKey = root.dataset.key;
    const draftInput = field("nr_draft");
    const keyFor = (draft) => `${PREFIX}${user}:${articleKey === "new" ? `new-${draft}` : articleKey}`;
    const newDraftId = () =>
      [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    let draft = draftInput ? draftInput.value || "" : "";

    const values = () => Object.fromEntries(FIELDS.map((name) => [name, field(name) ? field(name).value : ""]));

    // The copy this form would restore: its own, or for a new article the latest one not yet saved.
    const findCopy = () => {
      if (articleKey !== "new") {
        const copy = read(keyFor());
        return copy && { key: keyFor(), copy };
      }
      if (draft) {
        const copy = read(keyFor(draft));
        if (copy) return { key: keyFor(draft), copy, draft };
      }
      const mine = `${PREFIX}${user}:new-`;
      let latest = null;
      for (const key of Object.keys(storage)) {
        if (!key.startsWith(mine)) continue;
        const copy = read(key);
        if (copy && (!latest || copy.at > latest.copy.at)) latest = { key, copy, draft: key.slice(mine.length) };
      }
      return latest;
    };

    let dirty = false;
    let timer = null;
    const save = () => {
      clearTimeout(timer);
      timer = null;
      if (!dirty) return;
      if (articleKey === "new" && !draft) {
        draft = newDraftId();
        if (draftInput) draftInput.value = draft;
      }
      write(keyFor(draft), { ...values(), at: Date.now() });
      dirty = false;
    };
    const changed = (event) => {
      if (!FIELDS.includes(event.target.name)) return;
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, 400);
    };
    // The prose editor writes its HTML into the body's textarea and sends an "input" event that bubbles.
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", save);
    window.addEventListener("pagehide", save);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") save();
    });

    const found = findCopy();
    if (!found) return;
    if (same(found.copy, values())) {
      // The form shows what the copy holds. Opened fresh, that is the stored article: the copy is safe.
      // Sent back with errors, the form holds the unsaved text: the copy stays until it is saved.
      if (root.dataset.bound !== "1") storage.removeItem(found.key);
      return;
    }
    offer(root, found, {
      restore: () => {
        if (articleKey === "new") {
          draft = found.draft;
          if (draftInput) draftInput.value = draft;
        }
        for (const name of ["title", "lead"]) {
          const input = field(name);
          if (input && typeof found.copy[name] === "string") {
            input.value = found.copy[name];
            input.dispatchEvent(new Event("input", { bubbles: true }));
          }
        }
        setBody(field("body"), found.copy.body);
        dirty = true;
        save();
      },
      discard: () => storage.removeItem(found.key),
    });
  };

  // django-prose-editor keeps the body in its textarea and builds a Tiptap editor next to it; Tiptap puts
  // itself on its editing element as `.editor`. Its setContent() updates the textarea through the editor's
  // own update handler. Before the editor is up, the textarea is what it will start from.
  const setBody = (textarea, html) => {
    if (!textarea || typeof html !== "string") return;
    // (The block-type menu holds ProseMirror-styled samples too: the editing element is the one with the editor.)
    const wrapper = textarea.closest(".prose-editor");
    const area = wrapper && [...wrapper.querySelectorAll(".ProseMirror")].find((element) => element.editor);
    const editor = area && area.editor;
    if (editor && !editor.isDestroyed) {
      editor.commands.setContent(html, { emitUpdate: true });
    } else {
      textarea.value = html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  };

  const offer = (root, found, { restore, discard }) => {
    const banner = document.createElement("div");
    banner.className = "nr-editing-restore";
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-label", gettext("Unsaved version"));
    const text = document.createElement("p");
    text.textContent = gettext("This browser kept a version of this article that was not saved.");
    const yes = document.createElement("button");
    yes.type = "button";
    yes.className = "button default nr-editing-restore-yes";
    yes.textContent = interpolate(gettext("Restore the unsaved version (%(time)s)"), { time: clock(found.copy.at) }, true);
    const no = document.createElement("button");
    no.type = "button";
    no.className = "button nr-editing-restore-no";
    no.textContent = gettext("Discard it");
    const done = (message) => {
      const status = document.createElement("p");
      status.className = "nr-editing-restored";
      status.setAttribute("role", "status");
      status.textContent = message;
      banner.replaceChildren(status);
    };
    yes.addEventListener("click", () => {
      restore();
      done(gettext("The unsaved version is back in the form. Save to keep it."));
    });
    no.addEventListener("click", () => {
      discard();
      banner.remove();
    });
    const actions = document.createElement("p");
    actions.className = "nr-editing-restore-actions";
    actions.append(yes, no);
    banner.append(text, actions);
    root.append(banner);
  };

  // Who else is editing, and the login -------------------------------------------------------------

  const heartbeat = (root, form, field, csrf) => {
    const url = root.dataset.heartbeatUrl;
    const every = Math.max(10, Number(root.dataset.heartbeatSeconds) || 30) * 1000;
    const others = root.querySelector(".nr-editing-others");
    const saved = root.querySelector(".nr-editing-saved");
    let expired = null;

    const showExpired = (on) => {
      if (on && !expired) {
        expired = document.createElement("ul");
        expired.className = "messagelist nr-editing-expired";
        const item = document.createElement("li");
        item.className = "error";
        item.setAttribute("role", "alert");
        item.append(
          gettext(
            "Your login has expired. The article you are writing is still kept on this computer; log in again and it will be restored.",
          ),
          " ",
        );
        const link = document.createElement("a");
        link.href = root.dataset.loginUrl;
        link.textContent = gettext("Log in again");
        item.append(link);
        expired.append(item);
        root.prepend(expired);
      } else if (!on && expired) {
        expired.remove();
        expired = null;
      }
    };

    const showOthers = (lines) => {
      others.replaceChildren(
        ...lines.map((line) => {
          const item = document.createElement("li");
          item.className = "warning";
          item.textContent = line;
          return item;
        }),
      );
      others.hidden = lines.length === 0;
    };

    const beat = async () => {
      const body = new FormData();
      const version = field("nr_version");
      if (version) body.append("version", version.value);
      let response;
      try {
        response = await fetch(url, {
          method: "POST",
          body,
          headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
          credentials: "same-origin",
          redirect: "manual", // the admin sends an expired login to its login page
        });
      } catch {
        return; // offline for a moment: the next beat tries again
      }
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        showExpired(true);
        return;
      }
      if (!response.ok) return;
      const data = await response.json().catch(() => null);
      if (!data) return;
      showExpired(false);
      showOthers(Array.isArray(data.others) ? data.others.map(String) : []);
      saved.hidden = !data.saved;
      saved.firstElementChild.textContent = data.saved || "";
    };

    let timer = setInterval(beat, every);
    // A form sent back with errors ended its session as the page was left (pagehide below): say at once
    // that it is open again, rather than after a whole interval.
    if (root.dataset.bound === "1") setTimeout(beat, 1500);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") beat();
    });
    // Leaving the page (closing the tab, following a link, sending the form) ends this editing session;
    // a page brought back from the browser's cache starts it again.
    window.addEventListener("pagehide", () => {
      clearInterval(timer);
      const body = new FormData();
      body.append("csrfmiddlewaretoken", csrf());
      body.append("release", "1");
      navigator.sendBeacon(url, body);
    });
    window.addEventListener("pageshow", (event) => {
      if (!event.persisted) return;
      timer = setInterval(beat, every);
      beat();
    });
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
