// While the browser uploads the file and the server checks it, poll the
// import's progress and show it. Without JavaScript the form posts as usual
// and the preview appears when the check is done.
(function () {
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
        const response = await fetch(form.dataset.progressUrl, {
          headers: { "HX-Request": "true" },
          credentials: "same-origin",
        });
        if (response.ok) box.innerHTML = await response.text();
        // When the check is done the form's own response takes the browser to the preview.
        if (box.querySelector("[data-done]")) stopped = true;
      } catch (error) {
        // The page is moving on to the preview; nothing to show.
      }
      if (!stopped) window.setTimeout(poll, 400);
    }
    window.setTimeout(poll, 200);
  });
})();
