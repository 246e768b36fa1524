// A chat room: the history and live messages through one EventSource. Each event's id is the message's
// sequence number, so the browser's own reconnection resumes right after the last message it got; the
// page also drops any number it has already shown. Text goes through textContent: no injection.
(function () {
  const root = document.getElementById('chat');
  if (!root) { return; }
  const $ = (id) => document.getElementById(id);
  const api = root.dataset.api;
  const nameKey = 'switchboard.chat.name';
  let lastSeq = 0;
  let source = null;

  function show(message) {
    if (message.seq <= lastSeq) { return; } // already shown
    lastSeq = message.seq;
    const item = document.createElement('li');
    item.dataset.seq = message.seq;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = '#' + message.seq + ' ' + new Date(message.postedAt).toLocaleTimeString() + ' ';
    const author = document.createElement('strong');
    author.className = 'author';
    author.textContent = message.author;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = message.text;
    item.append(meta, author, ': ', text);
    const list = $('messages');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(item);
    if (atBottom) { list.scrollTop = list.scrollHeight; }
  }

  function connect(name) {
    // the first connection starts from the history's beginning; later ones resume by Last-Event-ID
    source = new EventSource(api + '/events?after=' + lastSeq + '&name=' + encodeURIComponent(name));
    source.onopen = () => { $('status').textContent = 'Live.'; };
    source.onmessage = (event) => show(JSON.parse(event.data));
    source.onerror = () => {
      $('status').textContent = 'Reconnecting…';
      if (source.readyState === EventSource.CLOSED) { // the server refused: try again ourselves
        setTimeout(() => connect(name), 3000);
      }
    };
  }

  async function refreshPresence() {
    try {
      const response = await fetch(api + '/presence', { headers: { Accept: 'application/json' } });
      if (response.ok) {
        const body = await response.json();
        $('present').textContent = body.present.length ? body.present.join(', ') : 'nobody';
      }
    } catch (e) {
      // shown again at the next refresh
    }
  }

  async function send(name) {
    const box = $('text');
    const text = box.value;
    if (!text.trim()) { return; }
    $('send').disabled = true;
    try {
      const response = await fetch(api + '/messages', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ author: name, text: text })
      });
      if (response.ok) {
        box.value = '';
        $('error').textContent = '';
      } else {
        const problem = await response.json().catch(() => ({}));
        $('error').textContent = problem.detail || ('The server answered ' + response.status + '.');
      }
    } catch (e) {
      $('error').textContent = 'Not sent: the server cannot be reached.';
    } finally {
      $('send').disabled = false;
      box.focus();
    }
  }

  function enter(name) {
    $('identify').hidden = true;
    $('room').hidden = false;
    connect(name);
    refreshPresence();
    setInterval(refreshPresence, 5000);
    $('compose').addEventListener('submit', (event) => { event.preventDefault(); send(name); });
    $('text').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); send(name); }
    });
    $('text').focus();
  }

  const saved = sessionStorage.getItem(nameKey);
  if (saved) {
    enter(saved);
  } else {
    $('identify').hidden = false;
    $('identify').addEventListener('submit', (event) => {
      event.preventDefault();
      const name = $('name').value.trim();
      if (!name) { return; }
      sessionStorage.setItem(nameKey, name);
      enter(name);
    });
    $('name').focus();
  }
})();
