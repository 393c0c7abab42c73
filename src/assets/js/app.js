// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/vendor/govuk-frontend.min.js';

initAll();

// On pages with Exit this page, Escape leaves at once too (Shift pressed 3 times is handled by the component).
const exit = document.querySelector('.govuk-js-exit-this-page-button');
if (exit instanceof HTMLAnchorElement) {
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      window.location.replace(exit.href);
    }
  });
}
