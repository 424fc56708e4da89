// Cluster view: every member as it sees itself (GET /v1/_cluster/nodes: role, term, leader, indexes, health) with the
// leader's lag and last contact; refreshes itself every second. Rows are updated in place so focus stays put.
// Admin actions (transfer leadership, remove, add) ask for confirmation and are hidden when the node disallows them.
import { h, replace, announce, field, formatDuration, formatTime } from './dom.js';
import { get, request, enc } from './api.js';
import { confirmAction } from './dialogs.js';

export const REFRESH_MS = 1000;
const COLUMNS = ['name', 'role', 'health', 'term', 'leader', 'commitIndex', 'appliedIndex', 'lag', 'lastContact', 'httpAddress'];
const HEADINGS = ['Node', 'Role', 'Health', 'Term', 'Leader', 'Commit index', 'Applied index', 'Lag (entries)', 'Last contact', 'HTTP address'];

export function mount(container) {
  let timer = null;
  let stopped = false;
  let allowed = false;
  const rows = new Map();

  const summary = h('p', { id: 'cluster-summary' });
  const status = h('p', { class: 'meta', id: 'cluster-status' });
  const error = h('p', { class: 'error', role: 'alert', id: 'cluster-error' });
  const actionsHead = h('th', { scope: 'col' }, 'Actions');
  const tbody = h('tbody');
  const adminBox = h('div', { id: 'cluster-admin' });
  const adminError = h('p', { class: 'error', role: 'alert', id: 'admin-error' });
  container.append(h('section', { class: 'panel', 'aria-labelledby': 'cluster-heading' },
    h('h2', { id: 'cluster-heading' }, 'Cluster'), summary, status, error,
    h('div', { class: 'table-wrap' }, h('table', { id: 'cluster-nodes', 'aria-labelledby': 'cluster-heading' },
      h('thead', {}, h('tr', {}, HEADINGS.map((t) => h('th', { scope: 'col' }, t)), actionsHead)), tbody))),
  h('section', { class: 'panel', 'aria-labelledby': 'admin-heading' }, h('h2', { id: 'admin-heading' }, 'Administration'), adminError, adminBox));

  const transferTo = h('select', { id: 'transfer-to' });
  const addName = h('input', { id: 'add-name', autocomplete: 'off', spellcheck: 'false', placeholder: 'n4' });
  const addPeer = h('input', { id: 'add-peer', autocomplete: 'off', spellcheck: 'false', placeholder: '127.0.0.1:7174' });
  const addHttp = h('input', { id: 'add-http', autocomplete: 'off', spellcheck: 'false', placeholder: 'http://127.0.0.1:7074' });
  const adminForms = [
    h('form', { id: 'transfer-form', class: 'toolbar', onsubmit: (e) => { e.preventDefault(); transfer(); } },
      field('Transfer leadership to', transferTo), h('button', { type: 'submit', id: 'transfer-button' }, 'Transfer leadership')),
    h('form', { id: 'add-form', onsubmit: (e) => { e.preventDefault(); addNode(); } },
      h('h3', {}, 'Add a node'),
      h('p', { class: 'meta' }, 'Start the new node first (cairn serve … --join), or add it here and start it with the same name and peer address. It joins as a learner and votes once it has caught up.'),
      h('div', { class: 'toolbar' }, field('Name', addName), field('Peer address (host:port)', addPeer), field('HTTP address (optional)', addHttp),
        h('button', { type: 'submit', id: 'add-button' }, 'Add node'))),
  ];

  function cellText(node, column) {
    switch (column) {
      case 'health': return node.health === 'unreachable' ? 'unreachable' : node.health;
      case 'lastContact': return node.lastContactMs === undefined ? '—' : `${formatDuration(node.lastContactMs)} ago`;
      case 'lag': return node.lag === undefined ? '—' : String(node.lag);
      default: return node[column] === undefined || node[column] === null ? '—' : String(node[column]);
    }
  }

  function renderNodes(report) {
    const seen = new Set();
    for (const node of report.nodes) {
      seen.add(node.name);
      let row = rows.get(node.name);
      if (!row) {
        const cells = Object.fromEntries(COLUMNS.map((c) => [c, h(c === 'name' ? 'th' : 'td', c === 'name' ? { scope: 'row' } : { dataset: { field: c } })]));
        const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Remove node ${node.name}`, onclick: () => removeNode(node.name) }, 'Remove');
        const actions = h('td', {}, remove);
        row = { tr: h('tr', { dataset: { node: node.name } }, COLUMNS.map((c) => cells[c]), actions), cells, actions };
        rows.set(node.name, row);
      }
      for (const c of COLUMNS) row.cells[c].textContent = cellText(node, c);
      row.cells.role.className = node.role === 'leader' ? 'role-leader' : '';
      row.cells.health.className = `health-${node.health}`;
      row.cells.health.title = node.detail ?? '';
      row.actions.firstChild.hidden = !allowed || node.role === 'not-a-member' || node.role === 'removed';
      row.actions.hidden = !allowed;
      tbody.append(row.tr); // re-appending keeps the server's order; the element (and focus in it) survives
    }
    for (const [name, row] of rows) {
      if (!seen.has(name)) { row.tr.remove(); rows.delete(name); }
    }
    actionsHead.hidden = !allowed;
    const leaders = report.nodes.filter((n) => n.role === 'leader');
    const options = [h('option', { value: '' }, 'the most caught-up node'),
      ...report.nodes.filter((n) => n.role === 'follower').map((n) => h('option', { value: n.name }, n.name))];
    if (transferTo.options.length !== options.length || [...transferTo.options].some((o, i) => o.value !== options[i].value)) {
      const chosen = transferTo.value;
      replace(transferTo, options);
      transferTo.value = options.some((o) => o.value === chosen) ? chosen : '';
    }
    return leaders;
  }

  async function refresh() {
    try {
      const [{ data: view }, { data: report }] = await Promise.all([get('/v1/_cluster'), get('/v1/_cluster/nodes')]);
      if (stopped) return;
      const single = view.clusterId === 'single-node';
      allowed = !single && view.adminRoutes !== false;
      renderNodes(report);
      const leader = view.leader ?? 'none known';
      summary.textContent = single
        ? `A single node (${view.node}) without replication.`
        : `Cluster ${view.clusterId}: this page talks to node ${view.node}; leader ${leader}; term ${view.term}; ${report.nodes.length} members.`;
      status.textContent = `Updated at ${formatTime(new Date())}; refreshes every ${REFRESH_MS / 1000} s.`;
      error.textContent = '';
      if (allowed) {
        if (!adminBox.firstChild || adminBox.dataset.mode !== 'on') { replace(adminBox, adminForms); adminBox.dataset.mode = 'on'; }
      } else if (adminBox.dataset.mode !== (single ? 'single' : 'off')) {
        adminBox.dataset.mode = single ? 'single' : 'off';
        replace(adminBox, h('p', { id: 'admin-disabled' }, single
          ? 'This node runs alone (started without peers), so membership and leadership cannot change.'
          : 'Administration is turned off on this node (Cairn:Api:AdminRoutes=false). Use a node that allows it.'));
      }
    } catch (e) {
      if (!stopped) error.textContent = e.message;
    } finally {
      if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  async function act(what, confirmText, send, done) {
    if (!await confirmAction(confirmText)) return;
    adminError.textContent = '';
    try {
      const r = await send();
      announce(done(r));
      status.textContent = done(r);
      clearTimeout(timer);
      refresh();
    } catch (e) {
      adminError.textContent = `${what} failed. ${e.message}`;
    }
  }

  function transfer() {
    const to = transferTo.value;
    act('Transferring leadership',
      { title: 'Transfer leadership?', text: `Leadership moves to ${to || 'the most caught-up node'}. Writes pause briefly during the hand-over.`, confirm: 'Transfer leadership' },
      () => request('POST', '/v1/_cluster/leader/transfer', { json: to ? { to } : {} }),
      (r) => `Leadership moved to ${r.data.leader}.`);
  }

  function removeNode(name) {
    act(`Removing ${name}`,
      { title: `Remove node ${name}?`, text: `${name} leaves the cluster and stops receiving data. The remaining nodes must still form a majority.`, confirm: 'Remove node' },
      () => request('DELETE', `/v1/_cluster/members/${enc(name)}`),
      () => `Removed ${name} from the cluster.`);
  }

  function addNode() {
    const name = addName.value.trim();
    const peerAddress = addPeer.value.trim();
    const httpAddress = addHttp.value.trim();
    if (!name || !peerAddress) {
      adminError.textContent = 'Adding a node needs its name and its peer address (host:port).';
      (name ? addPeer : addName).focus();
      return;
    }
    act(`Adding ${name}`,
      { title: `Add node ${name}?`, text: `${name} at ${peerAddress} joins as a learner and becomes a voter once it has caught up.`, confirm: 'Add node' },
      () => request('POST', '/v1/_cluster/members', { json: { name, peerAddress, ...(httpAddress ? { httpAddress } : {}) } }),
      () => `Added ${name}; it becomes a voter once it has caught up.`);
  }

  refresh();
  return { unmount() { stopped = true; clearTimeout(timer); } };
}
