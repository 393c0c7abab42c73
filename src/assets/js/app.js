// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/vendor/govuk-frontend.min.js';

initAll();
