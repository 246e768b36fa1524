// The jobs dashboard's graph (Chart.js): the processed and failed totals of every node, polled every
// 2 s, drawn as jobs per second over the last 4 minutes; its live events, and its tables drawn again
// as they come. And a job's page: its state, polled every
// second until it is final, and in a flow the tree of its children with their states, each level
// read from its parent's answer. Text goes through textContent: no injection.
(function () {
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const dashboard = $('jobs-dashboard');
  if (dashboard && window.Chart) {
    const points = 120;
    const chart = new Chart($('rate-chart'), {
      type: 'line',
      data: { labels: [], datasets: [
        { label: 'processed / s', data: [], borderColor: '#2457c5', backgroundColor: '#2457c533', fill: true, tension: 0.2, pointRadius: 0 },
        { label: 'failed / s', data: [], borderColor: '#b3261e', backgroundColor: '#b3261e33', fill: true, tension: 0.2, pointRadius: 0 }
      ] },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } }
    });
    let last = null;
    (async function poll() {
      for (;;) {
        try {
          const response = await fetch(dashboard.dataset.api + '/stats', { headers: { Accept: 'application/json' } });
          if (response.ok) {
            const s = await response.json();
            for (const k of ['processed', 'failed', 'busy', 'scheduled', 'dead', 'workers']) { $('stat-' + k).textContent = s[k]; }
            const t = Date.parse(s.time);
            if (last && t > last.t) {
              const seconds = (t - last.t) / 1000;
              chart.data.labels.push(new Date(t).toLocaleTimeString());
              chart.data.datasets[0].data.push(Math.max(0, (s.processed - last.processed) / seconds));
              chart.data.datasets[1].data.push(Math.max(0, (s.failed - last.failed) / seconds));
              if (chart.data.labels.length > points) {
                chart.data.labels.shift();
                chart.data.datasets.forEach((d) => d.data.shift());
              }
              chart.update();
            }
            last = { t: t, processed: s.processed, failed: s.failed };
            $('chart-status').textContent = 'Jobs per second, all nodes, sampled every 2 s. Live.';
          } else {
            $('chart-status').textContent = 'The server answered ' + response.status + '; retrying.';
          }
        } catch (e) {
          $('chart-status').textContent = 'Disconnected; retrying.';
        }
        await sleep(2000);
      }
    })();
  }

  // the dashboard follows every queue's job events (server-sent, from every node): the newest 50 are
  // listed, and the tables are drawn again (at most once a second) when a job moves
  if (dashboard && window.EventSource) {
    const queues = (dashboard.dataset.queues || '').split(',').filter((q) => q);
    const list = $('job-events');
    const kinds = ['enqueued', 'started', 'progress', 'succeeded', 'failed', 'retrying', 'dead', 'cancelled', 'queued', 'gap'];
    // the tables are the page's form drawn again: read the page, and put its form in place of this one
    // (with its own view state, so its buttons post as they would on a page just opened)
    let redraw = null;
    const later = () => {
      if (redraw) { return; }
      redraw = setTimeout(async () => {
        try {
          const response = await fetch(location.pathname, { headers: { Accept: 'text/html' } });
          const fresh = response.ok ? new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('jobs') : null;
          const form = $('jobs');
          if (fresh && form) {
            // what the last action said stays on the page
            const said = $('jobs:messages');
            const place = fresh.querySelector('[id="jobs:messages"]');
            if (said && place) { place.replaceWith(said); } else if (said) { fresh.prepend(said); }
            form.replaceWith(document.adoptNode(fresh));
          }
        } catch (e) {
          // the next event tries again
        }
        redraw = null;
      }, 1000);
    };
    const show = (e) => {
      const item = document.createElement('li');
      const when = document.createElement('span');
      when.className = 'mono';
      when.textContent = e.at ? new Date(e.at).toLocaleTimeString() : '';
      const kind = document.createElement('span');
      kind.className = 'state state-' + e.event;
      kind.textContent = e.event;
      item.append(when, ' ', kind, ' ');
      if (e.job) {
        const link = document.createElement('a');
        link.href = 'job.xhtml?id=' + encodeURIComponent(e.job);
        link.className = 'mono';
        link.textContent = e.job;
        item.append(link, ' on ' + e.queue);
      }
      const more = [e.attempt ? 'attempt ' + e.attempt : '', e.state || '', e.error || e.message || '',
        e.progress ? JSON.stringify(e.progress) : ''].filter((t) => t).join(', ');
      if (more) { item.append(' (' + more + ')'); }
      list.prepend(item);
      while (list.children.length > 50) { list.lastChild.remove(); }
    };
    if (queues.length > 0) {
      // one stream for every queue: a browser holds only a few connections to a server
      const source = new EventSource(dashboard.dataset.api + '/events?' + queues.map((q) => 'queue=' + encodeURIComponent(q)).join('&'));
      for (const kind of kinds) {
        source.addEventListener(kind, (m) => {
          const e = JSON.parse(m.data);
          e.event = e.event || kind;
          show(e);
          if (kind !== 'progress') { later(); }
        });
      }
      source.onopen = () => { $('events-status').textContent = 'Live: the tables below follow the job events of ' + queues.join(', ') + '.'; };
      source.onerror = () => { $('events-status').textContent = 'Disconnected from the job events; reconnecting.'; };
    }
  }

  // the children of a flow's job, and theirs (up to `budget` reads of a parent per drawing), as nested lists
  async function drawTree(list, api, children, budget) {
    const items = [];
    for (const child of children) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = 'job.xhtml?id=' + encodeURIComponent(child.id);
      link.className = 'mono';
      link.textContent = child.id;
      const state = document.createElement('span');
      state.className = 'state state-' + child.state;
      state.textContent = child.state;
      item.append(link, ' ', child.type + ' on ' + child.queue + ' ', state);
      if (child.children > 0 && budget.left-- > 0) {
        try {
          const response = await fetch(api.replace(/[^/]+$/, encodeURIComponent(child.id)), { headers: { Accept: 'application/json' } });
          if (response.ok) {
            const nested = document.createElement('ul');
            await drawTree(nested, api, (await response.json()).children, budget);
            item.append(nested);
          }
        } catch (e) {
          // drawn without its children; the next drawing tries again
        }
      }
      items.push(item);
    }
    list.replaceChildren(...items);
  }

  const job = $('job');
  if (job) {
    const final = ['succeeded', 'dead', 'cancelled'];
    (async function poll() {
      for (;;) {
        try {
          const response = await fetch(job.dataset.api, { headers: { Accept: 'application/json' } });
          if (response.ok) {
            const j = await response.json();
            $('job-state').textContent = j.state;
            $('job-attempts').textContent = j.attempts + ' of ' + j.maxAttempts;
            $('job-times').textContent = [j.enqueuedAt, j.startedAt, j.finishedAt].join(', ');
            $('job-result').textContent = j.result === null ? '' : JSON.stringify(j.result);
            $('job-error').textContent = j.error === null ? '' : j.error;
            const tree = $('job-tree');
            if (tree) { await drawTree(tree, job.dataset.api, j.children, { left: 100 }); }
            if (final.includes(j.state) && j.children.every((c) => final.includes(c.state))) { return; }
          }
        } catch (e) {
          // the next poll tries again
        }
        await sleep(1000);
      }
    })();
  }
})();
