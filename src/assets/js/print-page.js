// The safe-to-print plan: a Print button, shown only when this script runs (without it, the browser's own
// print command does the same).
const button = document.querySelector('[data-print-page]');
if (button instanceof HTMLButtonElement) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
