// The library's change page: a caption or credit found in the photo's file is offered under its empty field;
// its button copies it in. Nothing is ever filled without that click.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest(".nr-suggestion-use");
  if (!button) return;
  const field = document.getElementById(button.dataset.target);
  if (!field) return;
  field.value = button.dataset.value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  field.focus();
});
