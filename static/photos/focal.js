// The focal point of a library photo: a click or a tap on the picture sets the two number fields
// (focal_x, focal_y, 0–1), and the marker follows them, whichever way they were set. The fields stay the
// keyboard's way to set it; saving the photo makes its crops again around the new point.
"use strict";

(() => {
  const clamp = (value) => Math.min(1, Math.max(0, value));
  const round = (value) => Math.round(value * 1000) / 1000;

  const setUp = (box) => {
    const image = box.querySelector(".nr-focal-img");
    const marker = box.querySelector(".nr-focal-marker");
    const inputX = document.getElementById("id_focal_x");
    const inputY = document.getElementById("id_focal_y");
    const read = (input, fallback) => {
      const value = input ? Number.parseFloat(input.value) : Number.parseFloat(fallback);
      return Number.isFinite(value) ? clamp(value) : 0.5;
    };
    const place = () => {
      marker.style.left = `${read(inputX, box.dataset.focalX) * 100}%`;
      marker.style.top = `${read(inputY, box.dataset.focalY) * 100}%`;
      marker.hidden = false;
    };
    place();
    // Someone who may only look at the photo (no fields) sees the point but cannot move it.
    if (!inputX || !inputY) {
      box.classList.add("nr-focal-readonly");
      return;
    }
    image.addEventListener("click", (event) => {
      const rect = image.getBoundingClientRect();
      if (!rect.width || !rect.height) return;
      inputX.value = round(clamp((event.clientX - rect.left) / rect.width));
      inputY.value = round(clamp((event.clientY - rect.top) / rect.height));
      for (const input of [inputX, inputY]) input.dispatchEvent(new Event("change", { bubbles: true }));
      place();
    });
    for (const input of [inputX, inputY]) input.addEventListener("input", place);
    for (const input of [inputX, inputY]) input.addEventListener("change", place);
  };

  const start = () => document.querySelectorAll(".nr-focal").forEach(setUp);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
