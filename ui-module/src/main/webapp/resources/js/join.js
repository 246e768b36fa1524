// The chat's landing page: the form opens the room it names. A script file, not an inline handler:
// the pages' Content-Security-Policy runs no inline script.
(function () {
  const form = document.getElementById('join');
  if (!form) { return; }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.href = form.dataset.rooms + encodeURIComponent(form.elements.room.value.trim());
  });
})();
