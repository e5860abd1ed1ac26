// The admin console: users, the audit trail and a chart of sign-ins per hour. Uses app.js's
// globals (api, attempt, say, cell, actionButton, when, $). Everything from the service is put
// on the page as text or as SVG attributes, never parsed as markup.

const USERS_PAGE = 10;
const AUDIT_PAGE = 20;
const SVG = 'http://www.w3.org/2000/svg';
const admin = { userCursors: [undefined], auditQuery: '', auditLast: undefined };

// biome-ignore lint/correctness/noUnusedVariables: app.js calls it once an admin has signed in
async function showAdmin() {
  $('admin').hidden = false;
  admin.userCursors = [undefined];
  await Promise.all([showUsers(), showAudit(), showChart()]);
}

// biome-ignore lint/correctness/noUnusedVariables: app.js calls it when anyone else signs in, or on sign-out
function hideAdmin() {
  $('admin').hidden = true;
  for (const id of ['users', 'audit']) $(id).replaceChildren();
  $('chart').replaceChildren($('chart').querySelector('title'));
}

async function showUsers() {
  const cursor = admin.userCursors.at(-1);
  const query = `limit=${USERS_PAGE}${cursor ? `&starting_after=${encodeURIComponent(cursor)}` : ''}`;
  const { data, has_more } = await api('GET', `/users?${query}`);
  const body = $('users');
  body.replaceChildren();
  for (const user of data) {
    const row = body.insertRow();
    row.dataset.userId = user.id;
    cell(row, user.username);
    cell(row, user.role);
    cell(row, user.disabled ? 'disabled' : 'enabled');
    cell(row, when(user.created_at));
    const otherRole = user.role === 'admin' ? 'user' : 'admin';
    const change = (patch, done) => async () => {
      await api('PATCH', `/users/${encodeURIComponent(user.id)}`, patch);
      say(`${user.username} ${done}.`);
      await Promise.all([showUsers(), showAudit()]);
    };
    const actions = row.insertCell();
    actions.className = 'actions';
    actions.append(
      actionButton(
        `Make ${otherRole}`,
        `Make ${otherRole}: ${user.username}`,
        change({ role: otherRole }, `is now ${otherRole}`),
      ),
      user.disabled
        ? actionButton('Enable', `Enable: ${user.username}`, change({ disabled: false }, 'is enabled'))
        : actionButton('Disable', `Disable: ${user.username}`, change({ disabled: true }, 'is disabled')),
      deleteButton(user),
    );
  }
  $('users-first').disabled = admin.userCursors.length === 1;
  $('users-next').disabled = !has_more;
  $('users-next').dataset.cursor = data.at(-1)?.id ?? '';
}

/** Deleting cannot be undone, so the first press only asks; the second, on the same button, deletes. */
function deleteButton(user) {
  const b = actionButton('Delete', `Delete: ${user.username}`, async () => {
    if (b.dataset.armed !== 'yes') {
      b.dataset.armed = 'yes';
      b.textContent = 'Confirm delete';
      b.setAttribute('aria-label', `Confirm delete: ${user.username}, for good`);
      return;
    }
    await api('DELETE', `/users/${encodeURIComponent(user.id)}`);
    say(`${user.username} is deleted.`);
    await Promise.all([showUsers(), showAudit()]);
  });
  return b;
}

$('users-next').addEventListener('click', () => {
  admin.userCursors.push($('users-next').dataset.cursor);
  attempt(showUsers);
});
$('users-first').addEventListener('click', () => {
  admin.userCursors = [undefined];
  attempt(showUsers);
});

$('new-user').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  attempt(async () => {
    const user = await api('POST', '/users', {
      username: form.get('username'),
      password: form.get('password'),
      role: form.get('role'),
    });
    event.target.reset();
    say(`${user.username} is created.`);
    admin.userCursors = [undefined];
    await Promise.all([showUsers(), showAudit()]);
  });
});

/** The filter form as query parameters; datetime-local fields are local time, sent as UTC. */
function auditQuery(form) {
  const params = new URLSearchParams();
  for (const name of ['action', 'username', 'outcome']) {
    const value = String(form.get(name) ?? '').trim();
    if (value !== '') params.set(name, value);
  }
  for (const name of ['since', 'until']) {
    const value = String(form.get(name) ?? '');
    if (value !== '') params.set(name, new Date(value).toISOString());
  }
  return params.toString();
}

async function showAudit(more = false) {
  const cursor = more ? `&starting_after=${encodeURIComponent(admin.auditLast)}` : '';
  const separator = admin.auditQuery === '' ? '' : '&';
  const { data, has_more } = await api(
    'GET',
    `/audit-events?limit=${AUDIT_PAGE}${separator}${admin.auditQuery}${cursor}`,
  );
  const body = $('audit');
  if (!more) body.replaceChildren();
  for (const event of data) {
    const row = body.insertRow();
    row.dataset.eventId = event.id;
    cell(row, when(event.occurred_at));
    cell(row, event.action);
    cell(row, event.outcome);
    cell(row, event.username ?? '');
    cell(row, event.actor_scheme ?? '');
    cell(row, event.ip ?? '');
  }
  if (!more && data.length === 0) cell(body.insertRow(), 'No events match these filters.').colSpan = 6;
  admin.auditLast = data.at(-1)?.id;
  $('audit-more').hidden = !has_more;
}

$('audit-filter').addEventListener('submit', (event) => {
  event.preventDefault();
  admin.auditQuery = auditQuery(new FormData(event.target));
  attempt(() => showAudit());
});
$('audit-more').addEventListener('click', () => attempt(() => showAudit(true)));
$('chart-refresh').addEventListener('click', () => attempt(showChart));

// The chart: two bars per hour (succeeded, failed), scaled to the busiest hour.
const CHART = { width: 480, height: 170, top: 14, bottom: 20, slot: 20 };

function svg(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

async function showChart() {
  const { buckets } = await api('GET', '/audit-events/stats?action=login.succeeded&action=login.failed');
  const peak = Math.max(1, ...buckets.flatMap((b) => [b.success, b.failure]));
  const plot = CHART.height - CHART.top - CHART.bottom;
  const chart = $('chart');
  chart.replaceChildren(
    chart.querySelector('title'),
    svg('line', { x1: 0, x2: CHART.width, y1: CHART.top + plot, y2: CHART.top + plot, class: 'axis' }),
    svg('text', { x: 2, y: 10, class: 'label' }, `${peak} per hour`),
  );
  buckets.forEach((bucket, i) => {
    const hour = new Date(bucket.hour);
    const name = hour.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    for (const [outcome, offset] of [
      ['success', 2],
      ['failure', 10],
    ]) {
      const count = bucket[outcome];
      const height = (count / peak) * plot;
      const bar = svg('rect', {
        x: i * CHART.slot + offset,
        y: CHART.top + plot - height,
        width: 7,
        height,
        class: outcome,
        'data-hour': bucket.hour,
        'data-outcome': outcome,
        'data-count': count,
      });
      bar.append(svg('title', {}, `${name}: ${count} ${outcome === 'success' ? 'succeeded' : 'failed'}`));
      chart.append(bar);
    }
    if (i % 6 === 0) chart.append(svg('text', { x: i * CHART.slot + 2, y: CHART.height - 4, class: 'label' }, name));
  });
  const total = (outcome) => buckets.reduce((sum, b) => sum + b[outcome], 0);
  $('chart-summary').textContent = `In the last 24 hours: ${total('success')} succeeded, ${total('failure')} failed.`;
}
