// A notice board, live: the classic long-poll loop. Each answer carries "next", the URL that waits for
// the following update; errors back off and try again. Text goes through textContent: no injection.
(function () {
  const root = document.getElementById('board');
  if (!root) { return; }
  const $ = (id) => document.getElementById(id);
  let next = root.dataset.api + '?after=0';

  function percentOf(value) {
    if (typeof value === 'number') { return value; }
    if (value && typeof value === 'object' && typeof value.percent === 'number') { return value.percent; }
    return null;
  }

  function show(state) {
    $('revision').textContent = state.revision;
    $('posted-at').textContent = state.postedAt ? new Date(state.postedAt).toLocaleString() : 'never';
    if ($('expiry')) { // the board page shows a lease; pages that embed a board (a job's) may not
      $('expiry').hidden = !state.expiresAt;
      $('expires-at').textContent = state.expiresAt ? new Date(state.expiresAt).toLocaleString() : '';
    }
    $('value').textContent = state.value === null ? '' : JSON.stringify(state.value, null, 2);
    const percent = percentOf(state.value);
    $('progress').hidden = percent === null;
    if (percent !== null) {
      const clamped = Math.max(0, Math.min(100, percent));
      $('progress-bar').style.width = clamped + '%';
      $('progress-text').textContent = percent + '%';
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function watch() {
    for (;;) {
      try {
        const response = await fetch(next, { headers: { Accept: 'application/json' } });
        if (response.ok) {
          const state = await response.json();
          show(state);
          next = state.next;
          $('status').textContent = 'Live.';
          continue;
        }
        if (response.status === 404) {
          // the board was deleted or its lease ran out: shown as such until something is posted again
          show({ revision: 0, postedAt: null, value: null, expiresAt: null });
          $('status').textContent = 'This board was deleted or has expired; waiting for a new post.';
          next = root.dataset.api + '?after=0';
          continue;
        }
        $('status').textContent = 'The server answered ' + response.status + '; retrying.';
      } catch (e) {
        $('status').textContent = 'Disconnected; retrying.';
      }
      await sleep(2000);
    }
  }
  watch();
})();
