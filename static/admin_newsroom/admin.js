// Every admin page: the language switch, and names for select2's boxes.
// A static file, not inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
"use strict";

(() => {
  // The language menu in the header sends its form as soon as a language is picked
  // (a <noscript> button does it without JavaScript).
  document.addEventListener("change", (event) => {
    if (event.target.matches(".nr-language select")) event.target.form.submit();
  });

  const labelFor = (control) => {
    // The field's own <label>, or a hidden one made from the control's aria-label (inline rows have none).
    let label = control.id && document.querySelector(`label[for="${CSS.escape(control.id)}"]`);
    if (!label && control.getAttribute("aria-label")) {
      label = document.createElement("label");
      label.htmlFor = control.id;
      label.className = "visually-hidden";
      label.textContent = control.getAttribute("aria-label");
      control.before(label);
    }
    if (label && !label.id) label.id = `${control.id}-label`;
    return label;
  };

  const setAttr = (element, name, value) => {
    if (element && element.getAttribute(name) !== value) element.setAttribute(name, value);
  };

  // select2 (the admin's autocomplete) names its box after the chosen value only, which is empty
  // until something is chosen, and gives the search field of a multiple choice no name at all.
  const nameSelect2Boxes = (root) => {
    for (const select of root.querySelectorAll("select.admin-autocomplete")) {
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) continue;
      const label = labelFor(select);
      if (!label) continue;
      const selection = container.querySelector(".select2-selection");
      const rendered = container.querySelector(".select2-selection__rendered");
      if (selection && rendered && selection.classList.contains("select2-selection--single")) {
        setAttr(selection, "aria-labelledby", `${label.id} ${rendered.id}`);
        setAttr(rendered, "aria-labelledby", label.id);
      } else if (selection) {
        setAttr(selection, "aria-labelledby", label.id);
      }
      for (const search of container.querySelectorAll(".select2-search__field")) {
        setAttr(search, "aria-labelledby", label.id);
      }
    }
  };

  // Run `work` again whenever the page's elements change, at most once per animation frame.
  const onPageChange = (work) => {
    let queued = false;
    new MutationObserver(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        work();
      });
    }).observe(document.body, { childList: true, subtree: true });
  };

  const start = () => {
    nameSelect2Boxes(document);
    // select2 builds its boxes after the page loads, and again for each inline row added.
    onPageChange(() => nameSelect2Boxes(document));
  };

  window.newsroomAdmin = { labelFor, setAttr, onPageChange };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
