// The article form: the prose editor in the admin's language, spell-checked as Vietnamese, and the
// byline's authors reordered by dragging or with up/down buttons (positions 1, 2, 3 follow the rows).
// English strings go through Django's JavaScript catalogue (locale/vi/LC_MESSAGES/djangojs.po).
"use strict";

(() => {
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((text) => text);
  const setAttr = (element, name, value) => {
    if (element && element.getAttribute(name) !== value) element.setAttribute(name, value);
  };

  // The prose editor ----------------------------------------------------------------------------
  // django-prose-editor passes its dialogs' words through gettext, but writes its toolbar's titles
  // ("bold", "insert link", "heading 2") and dropdown options ("Heading 2", "Paragraph") in English.

  const translate = (text) => {
    const heading = /^heading (\d)$/i.exec(text);
    if (heading) return interpolate(gettext("Heading %(level)s"), { level: heading[1] }, true);
    return gettext(text);
  };

  const translateEditor = (editor) => {
    for (const element of editor.querySelectorAll(".prose-menubar [title], .prose-menubar [aria-label]")) {
      for (const name of ["title", "aria-label"]) {
        const value = element.getAttribute(name);
        if (value) setAttr(element, name, translate(value));
      }
    }
    // Dropdown options show a sample of the block: <h2>Heading 2</h2>, <p>Paragraph</p>.
    for (const sample of editor.querySelectorAll(".prose-menubar__option > *")) {
      const translated = translate(sample.textContent);
      if (sample.textContent !== translated) sample.textContent = translated;
    }
    const area = editor.querySelector(":scope > .ProseMirror[contenteditable]");
    if (area) {
      // Stories are written in Vietnamese whatever language the admin is shown in.
      setAttr(area, "lang", "vi");
      setAttr(area, "spellcheck", "true");
      const textarea = editor.querySelector("textarea");
      const label = textarea && window.newsroomAdmin && window.newsroomAdmin.labelFor(textarea);
      if (label) setAttr(area, "aria-labelledby", label.id);
    }
  };

  // The byline ----------------------------------------------------------------------------------

  const rows = (group) =>
    [...group.querySelectorAll("tbody > tr.form-row")].filter(
      (row) => !row.classList.contains("empty-form") && row.querySelector("td.field-position input"),
    );
  const isDeleted = (row) => {
    const box = row.querySelector("td.delete input[type=checkbox]");
    return !!(box && box.checked);
  };
  const hasAuthor = (row) => {
    const select = row.querySelector("td.field-author select");
    return !!(select && select.value);
  };
  const authorName = (row) => {
    const select = row.querySelector("td.field-author select");
    const option = select && select.selectedOptions[0];
    return option && option.value ? option.textContent.trim() : gettext("(no author chosen)");
  };

  // Positions 1, 2, 3 in the order of the rows on screen. Rows marked for removal get none, and so do
  // rows with no author yet: Django would take a blank row with a number in it for a filled one.
  const renumber = (group) => {
    let position = 0;
    for (const row of rows(group)) {
      const input = row.querySelector("td.field-position input");
      const shown = row.querySelector(".nr-byline-rank");
      row.classList.toggle("nr-byline-unset", !hasAuthor(row));
      if (isDeleted(row) || !hasAuthor(row)) {
        input.value = "";
        if (shown) shown.textContent = "–";
        continue;
      }
      position += 1;
      input.value = String(position);
      if (shown) shown.textContent = String(position);
      const up = row.querySelector(".nr-byline-up");
      const down = row.querySelector(".nr-byline-down");
      if (up) {
        setAttr(up, "aria-label", interpolate(gettext("Move author %(position)s up"), { position }, true));
        setAttr(down, "aria-label", interpolate(gettext("Move author %(position)s down"), { position }, true));
      }
    }
  };

  const announce = (group, row) => {
    const status = group.querySelector(".nr-byline-status");
    const position = row.querySelector("td.field-position input").value;
    status.textContent = interpolate(
      gettext("%(name)s is now author %(position)s in the byline."),
      { name: authorName(row), position },
      true,
    );
  };

  const move = (group, row, step) => {
    const all = rows(group);
    const target = all[all.indexOf(row) + step];
    if (!target) return;
    // Moving a row takes it out of the page for a moment, which drops the focus: give it back to the
    // button that was pressed, so a keyboard user can press it again to go on moving the same author.
    const focused = row.contains(document.activeElement) ? document.activeElement : null;
    if (step < 0) target.before(row);
    else target.after(row);
    if (focused) focused.focus();
    renumber(group);
    announce(group, row);
  };

  const button = (className, symbol, title) => {
    const element = document.createElement("button");
    element.type = "button";
    element.className = `nr-byline-move ${className}`;
    element.title = title;
    element.textContent = symbol;
    return element;
  };

  const enhanceRow = (group, row) => {
    const cell = row.querySelector("td.field-position");
    if (!cell || cell.querySelector(".nr-byline-rank")) return;
    // The number itself is now kept by the script; the editor sees the order and moves rows.
    cell.querySelector("input").type = "hidden";
    const handle = document.createElement("span");
    handle.className = "nr-byline-handle";
    handle.title = gettext("Drag to change the order");
    handle.setAttribute("aria-hidden", "true");
    handle.textContent = "⠿";
    const rank = document.createElement("span");
    rank.className = "nr-byline-rank";
    rank.setAttribute("aria-hidden", "true");
    const up = button("nr-byline-up", "▲", gettext("Move up"));
    const down = button("nr-byline-down", "▼", gettext("Move down"));
    up.addEventListener("click", () => move(group, row, -1));
    down.addEventListener("click", () => move(group, row, +1));
    cell.append(handle, rank, up, down);

    // Dragging starts from the handle only, so picking an author in the row still works as usual.
    handle.addEventListener("pointerdown", () => {
      row.draggable = true;
    });
    row.addEventListener("dragstart", (event) => {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", authorName(row));
      group.nrDragged = row;
      row.classList.add("nr-dragging");
    });
    row.addEventListener("dragend", () => {
      row.draggable = false;
      row.classList.remove("nr-dragging");
      group.nrDragged = null;
    });
    row.addEventListener("dragover", (event) => {
      const dragged = group.nrDragged;
      if (!dragged || dragged === row) return;
      event.preventDefault();
      const box = row.getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) row.before(dragged);
      else row.after(dragged);
      renumber(group);
    });
    row.addEventListener("drop", (event) => {
      event.preventDefault();
      if (group.nrDragged) announce(group, group.nrDragged);
    });
  };

  const enhanceByline = (group) => {
    if (!group.querySelector(".nr-byline-status")) {
      const status = document.createElement("p");
      status.className = "nr-byline-status visually-hidden";
      status.setAttribute("role", "status");
      group.querySelector("fieldset").append(status);
      group.classList.add("nr-byline-ordered");
      group.addEventListener("change", (event) => {
        if (event.target.matches("td.delete input")) renumber(group);
      });
      // select2 announces a chosen author with a jQuery event, which native listeners do not hear.
      if (window.django && window.django.jQuery) {
        window.django.jQuery(group).on("change", "td.field-author select", () => renumber(group));
      }
      // And once more as the form is sent, whatever happened since.
      group.closest("form").addEventListener("submit", () => renumber(group));
    }
    for (const row of rows(group)) enhanceRow(group, row);
    renumber(group);
  };

  // Start ---------------------------------------------------------------------------------------

  const start = () => {
    const byline = document.getElementById("bylines-group");
    if (byline) {
      enhanceByline(byline);
      // Django's inline script adds and removes rows (and renames their fields) with these events.
      document.addEventListener("formset:added", () => enhanceByline(byline));
      document.addEventListener("formset:removed", () => enhanceByline(byline));
    }
    const editors = () => document.querySelectorAll(".prose-editor");
    editors().forEach(translateEditor);
    // The editor builds its toolbar when its modules have loaded, and redraws parts of it (the block
    // type shown in the dropdown, dialogs) as the reporter works: translate whatever it adds.
    // admin.js (on every admin page, deferred) has run by now: this starts at DOMContentLoaded.
    window.newsroomAdmin.onPageChange(() => editors().forEach(translateEditor));
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
