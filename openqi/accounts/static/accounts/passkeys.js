// Passkeys (WebAuthn) around django-allauth's own scripts (mfa/js/webauthn.js, started
// by account/js/onload.js from the <script type="application/json"> blocks in
// mfa/webauthn/_macros.html): shows the passkey buttons only in a browser that has
// WebAuthn, and says so on the page when a passkey could not be used (allauth would
// only log it to the console).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    if (window.PublicKeyCredential) {
      document.querySelectorAll("[data-passkeys]").forEach(function (element) {
        element.hidden = false;
      });
    }
  });
  document.addEventListener("allauth.error", function (event) {
    event.preventDefault();
    const cancelled =
      event.detail.exception && event.detail.exception.name === "NotAllowedError";
    document.querySelectorAll("[data-passkey-error]").forEach(function (element) {
      element.textContent = cancelled
        ? "The passkey was not used: it was cancelled or timed out. Try again."
        : "Your passkey could not be used. Try again, or use another way.";
      element.hidden = false;
    });
  });
})();
