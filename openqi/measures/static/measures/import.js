// The import's progress. On the upload page: while the browser sends the file,
// poll and show it. On the waiting page (the file being checked or saved by a
// runner): poll, show it, and move on when it is done. Without JavaScript the
// form posts as usual and the waiting page has a "Check again" button.
(function () {
  async function fetchProgress(url, box) {
    const response = await fetch(url, {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    });
    if (response.ok) box.innerHTML = await response.text();
    const done = box.querySelector("[data-done]");
    return done ? done.dataset.done : null;
  }

  const wait = document.querySelector("[data-import-wait]");
  if (wait) {
    async function follow() {
      let next = null;
      try {
        next = await fetchProgress(wait.dataset.progressUrl, wait);
      } catch (error) {
        // A dropped request: ask again on the next turn.
      }
      if (next) window.location.replace(next);
      else window.setTimeout(follow, 700);
    }
    window.setTimeout(follow, 300);
    return;
  }

  const form = document.querySelector("[data-import-form]");
  const box = document.getElementById("import-progress");
  if (!form || !box) return;
  form.addEventListener("submit", function () {
    if (!form.querySelector('input[type="file"]').value) return;
    box.hidden = false;
    const button = form.querySelector('button[type="submit"]');
    if (button) button.setAttribute("aria-disabled", "true");
    let stopped = false;
    async function poll() {
      if (stopped) return;
      try {
        // The form's own response takes the browser on once the file has arrived.
        if (await fetchProgress(form.dataset.progressUrl, box)) stopped = true;
      } catch (error) {
        // The page is moving on; nothing to show.
      }
      if (!stopped) window.setTimeout(poll, 400);
    }
    window.setTimeout(poll, 200);
  });
})();
