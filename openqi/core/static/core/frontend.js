// Starts the NHS.UK frontend's components. Imported by a relative path, so the
// browser fetches both modules before the page finishes loading; in production the
// package's module is served under its own name beside its fingerprinted copy.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
