// Progressive enhancement for attaching evidence: the form works without this file (a plain multipart post).
// With it, the same form is sent by XMLHttpRequest so the upload's progress can be shown, in a <progress>
// element and in words a screen reader announces as they change.

const formatBytes = (bytes) => {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
};

function enhance(form) {
  const panel = form.querySelector('[data-upload-progress]');
  const bar = form.querySelector('progress');
  const words = form.querySelector('[data-upload-progress-text]');
  const button = form.querySelector('button[type="submit"], button:not([type])');
  if (!panel || !bar || !words || !window.FormData || !window.XMLHttpRequest) return;

  let lastAnnounced = -1;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open('POST', form.action);
    request.setRequestHeader('Accept', 'text/html');
    panel.hidden = false;
    if (button) button.disabled = true;
    words.textContent = 'Starting upload';

    request.upload.addEventListener('progress', (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.floor((progress.loaded / progress.total) * 100);
      bar.value = percent;
      // Announce in steps of 10%, so a screen reader is not flooded.
      const step = Math.floor(percent / 10);
      if (step !== lastAnnounced) {
        lastAnnounced = step;
        words.textContent = `Uploaded ${percent}% (${formatBytes(progress.loaded)} of ${formatBytes(progress.total)})`;
      }
    });
    request.upload.addEventListener('load', () => {
      bar.value = 100;
      words.textContent = 'Upload complete. Checking and storing the files';
    });
    request.addEventListener('load', () => {
      if (request.status < 400 && request.responseURL) {
        // Attached: the server's redirect was followed; show that page as a normal navigation.
        window.location.assign(request.responseURL);
        return;
      }
      // Refused (too large, wrong type, too many): show the page the server sent, with its error summary.
      const page = new DOMParser().parseFromString(request.responseText, 'text/html');
      const main = page.querySelector('main');
      const current = document.querySelector('main');
      if (!main || !current) {
        words.textContent = 'The upload did not work. Reload the page and try again.';
        if (button) button.disabled = false;
        return;
      }
      current.replaceWith(main);
      document.title = page.title;
      const summary = main.querySelector('.govuk-error-summary');
      if (summary) {
        summary.setAttribute('tabindex', '-1');
        summary.focus();
      }
      main.querySelectorAll('form[data-evidence-upload]').forEach(enhance);
    });
    request.addEventListener('error', () => {
      words.textContent =
        'The upload stopped before it finished. Nothing was attached. Check your connection and try again.';
      if (button) button.disabled = false;
    });
    request.send(new FormData(form));
  });
}

document.querySelectorAll('form[data-evidence-upload]').forEach(enhance);
