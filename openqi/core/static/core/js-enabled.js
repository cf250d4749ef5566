// Marks the page as having JavaScript, as the inline script in nhsuk-frontend-jinja's
// page template would (OpenQI's Content-Security-Policy allows no inline script, so
// openqi/core/jinja2.py takes that one out): the NHS.UK frontend styles and starts
// its components only on a body with these classes. Loaded at the top of <body>,
// without defer, so the page never shows its no-JavaScript look first.
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
