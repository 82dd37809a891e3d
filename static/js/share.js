// "Sao chép liên kết" on a story (templates/articles/_share_links.html): copies the story's address with the
// Clipboard API and says so. Without this script, or where copying is refused, the address stays a plain
// link a reader copies as any other.
(() => {
  "use strict";
  for (const button of document.querySelectorAll("[data-share-copy]")) {
    const share = button.closest(".share");
    const fallback = share.querySelector("[data-share-fallback]");
    const status = share.querySelector("[data-share-status]");
    if (!navigator.clipboard || !window.isSecureContext) continue;
    button.hidden = false;
    fallback.hidden = true;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.shareCopy);
        status.textContent = "Đã sao chép liên kết bài viết.";
      } catch {
        button.hidden = true;
        fallback.hidden = false;
        status.textContent = "Không sao chép được. Hãy sao chép liên kết bài viết ở trên.";
      }
    });
  }
})();
