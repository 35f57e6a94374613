// Plinth's console: one page over the documented HTTP API. Every call carries the operator's
// token and context headers, so the policies decide what it shows and changes, as for any
// client; a refusal is shown with its problem code and detail. Data is put into the page as
// text nodes only (never as HTML). Collections, their schemas and examples come from the
// server's own contract (/contract/openapi.json), not from a list kept here.
'use strict';

const S = {
  token: sessionStorage.getItem('plinth.token'),
  tenant: sessionStorage.getItem('plinth.tenant') || 't_system',
  env: sessionStorage.getItem('plinth.env') || 'dev',
  openapi: null,
  revision: null, // the last write's revision: sent as X-Min-Revision so the next read sees it
};

// ---- DOM ------------------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const main = () => document.getElementById('main');
function show(...nodes) { main().replaceChildren(...nodes); }
function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text; t.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}
function problemView(r) {
  const p = r.json || {};
  return h('div', { class: 'problem', 'data-code': p.code || '' },
    h('span', { class: 'code' }, p.code || ('HTTP ' + r.status)), ' ',
    h('span', { class: 'status muted' }, '(' + r.status + ')'), ' ',
    h('span', { class: 'detail' }, p.detail || r.text || ''));
}
function pretty(v) { return JSON.stringify(v, null, 2); }

// ---- API ------------------------------------------------------------------------------------
async function api(method, path, opts = {}) {
  const headers = { 'X-Tenant-Id': opts.tenant || S.tenant, 'X-Env': opts.env || S.env, ...(opts.headers || {}) };
  const token = opts.token === undefined ? S.token : opts.token;
  if (token) headers.Authorization = 'Bearer ' + token;
  if (S.revision && opts.minRevision !== false) headers['X-Min-Revision'] = S.revision;
  let body = opts.body;
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer)) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
  const r = { status: res.status, ok: res.ok, json, text, etag: res.headers.get('ETag') };
  // A control-plane write's revision (collection:microseconds); a bundle's revision is another thing.
  if (r.ok && json && /^[a-z_]+:\d+$/.test(json.revision || '') && method !== 'GET') S.revision = json.revision;
  return r;
}

async function contract() {
  if (!S.openapi) S.openapi = (await api('GET', '/contract/openapi.json', { token: null })).json;
  return S.openapi;
}

// Collections from the contract: /v1/admin/{c} (global) and /v1/admin/tenants/{tenant}/{c}.
async function collections() {
  const doc = await contract();
  const out = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    // A collection lists (GET) and creates (POST); an action such as the copy only posts.
    if (!ops.get || !ops.post) continue;
    let m = path.match(/^\/v1\/admin\/([a-z_]+)$/);
    if (m) out.push({ name: m[1], scoped: false, base: path, post: ops.post });
    m = path.match(/^\/v1\/admin\/tenants\/\{tenant\}\/([a-z_]+)$/);
    if (m) out.push({ name: m[1], scoped: true, base: path, post: ops.post });
  }
  return out;
}
async function collection(name) { return (await collections()).find(c => c.name === name); }

function schemaOf(col) {
  const media = col.post.requestBody.content['application/json'];
  const ref = media.schema && media.schema.$ref;
  return { schema: ref ? S.openapi.components.schemas[ref.split('/').pop()] : null, example: media.example };
}

// The checks the API makes that a form can make first: JSON, an object, required fields,
// the id's pattern, enums and primitive types, no unknown field.
function validate(body, schema, creating) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return ['the body must be a JSON object'];
  if (!schema) return [];
  const errors = [];
  for (const req of schema.required || []) if (creating && !(req in body)) errors.push("'" + req + "' is required");
  for (const [k, v] of Object.entries(body)) {
    const p = (schema.properties || {})[k];
    if (!p) { if (k !== 'id') errors.push("unknown field '" + k + "'"); continue; } // every item has an id (its path)
    if (p.type === 'string' && typeof v !== 'string') errors.push("'" + k + "' must be a string");
    if (p.type === 'array' && !Array.isArray(v)) errors.push("'" + k + "' must be an array");
    if (p.type === 'object' && (typeof v !== 'object' || Array.isArray(v) || v === null)) errors.push("'" + k + "' must be an object");
    if (p.type === 'boolean' && typeof v !== 'boolean') errors.push("'" + k + "' must be true or false");
    if (p.pattern && typeof v === 'string' && !new RegExp(p.pattern).test(v)) errors.push("'" + k + "' must match " + p.pattern);
    if (p.enum && !p.enum.includes(v)) errors.push("'" + k + "' must be one of " + p.enum.join(', '));
  }
  return errors;
}

// ---- sign-in --------------------------------------------------------------------------------
async function signInView() {
  document.getElementById('nav').hidden = true;
  document.getElementById('who').replaceChildren();
  const token = h('textarea', { id: 'token', placeholder: 'a Plinth token (./plinth token u_admin)', rows: 4 });
  const out = h('div', { id: 'signin-result' });
  const view = h('div', { class: 'card' }, h('h2', {}, 'Sign in'), token,
    h('div', { class: 'row' }, h('button', { id: 'signin', onclick: () => signIn(token.value.trim(), out) }, 'Sign in')), out);
  const dev = await api('GET', '/console/dev-sign-in', { token: null });
  if (dev.ok && dev.json.available) {
    const user = h('input', { id: 'dev-user', value: 'u_admin', size: 16 });
    view.append(h('div', { class: 'row' }, 'Dev identity provider enabled:', user,
      h('button', { id: 'dev-signin', class: 'secondary', onclick: async () => {
        const r = await api('POST', '/console/dev-sign-in', { token: null, body: { user_id: user.value.trim() } });
        if (!r.ok) return out.replaceChildren(problemView(r));
        signIn(r.json.token, out);
      } }, 'Dev sign-in')));
  }
  show(view);
}

async function signIn(token, out) {
  // A token that does not verify is refused here; a refusal of the current context (another
  // tenant's operator) is shown in the header after signing in, as every other refusal is.
  const r = await api('GET', '/v1/context', { token });
  if (r.status === 401) return out.replaceChildren(problemView(r));
  S.token = token;
  sessionStorage.setItem('plinth.token', token);
  if (location.hash === '#/tenants') route(); else location.hash = '#/tenants'; // hashchange routes
}

function signOut() {
  S.token = null; S.revision = null;
  sessionStorage.removeItem('plinth.token');
  route();
}

async function frame(active) {
  const me = await api('GET', '/v1/context');
  const tenant = h('input', { id: 'ctx-tenant', value: S.tenant, size: 12 });
  const env = h('input', { id: 'ctx-env', value: S.env, size: 6 });
  const apply = () => {
    S.tenant = tenant.value.trim(); S.env = env.value.trim();
    sessionStorage.setItem('plinth.tenant', S.tenant); sessionStorage.setItem('plinth.env', S.env);
    route();
  };
  document.getElementById('who').replaceChildren(
    me.ok ? h('span', { id: 'me' }, me.json.user_id + ' (' + (me.json.roles || []).join(', ') + ') ') : problemView(me),
    ' as tenant ', tenant, ' env ', env, h('button', { class: 'secondary', onclick: apply }, 'Use'),
    ' ', h('button', { class: 'secondary', id: 'signout', onclick: signOut }, 'Sign out'));
  const nav = document.getElementById('nav');
  nav.hidden = false;
  const links = [['tenants', 'Tenants'], ...(await collections()).filter(c => !c.scoped && c.name !== 'tenants').map(c => ['c/' + c.name, c.name]),
    ['matrix', 'Routing matrix'], ['policies', 'Policies'], ['health', 'Health'], ['playground', 'Playground']];
  nav.replaceChildren(...links.map(([k, label]) => h('a', { href: '#/' + k, class: k === active ? 'active' : null, id: 'nav-' + k.replace('/', '-') }, label)));
}

// ---- collections ----------------------------------------------------------------------------
async function listView(name, tenant, into) {
  const col = await collection(name);
  const base = col.base.replace('{tenant}', tenant || '');
  const box = into || h('div');
  let token = null;
  const table = h('table', { id: 'list-' + name }, h('tr', {}, h('th', {}, 'id'), h('th', {}, 'fields')));
  const more = h('button', { class: 'secondary', id: 'more-' + name, hidden: true, onclick: () => page() }, 'Next page');
  const out = h('div');
  async function page() {
    const r = await api('GET', base + '?page_size=20' + (token ? '&page_token=' + encodeURIComponent(token) : ''));
    if (!r.ok) return out.replaceChildren(problemView(r));
    for (const item of r.json.items) {
      const { id, ...rest } = item;
      const href = tenant ? '#/item/' + name + '/' + id + '?tenant=' + tenant : (name === 'tenants' ? '#/tenant/' + id : '#/item/' + name + '/' + id);
      table.append(h('tr', { 'data-id': id }, h('td', {}, h('a', { href }, id)), h('td', {}, h('code', {}, JSON.stringify(rest).slice(0, 160)))));
    }
    token = r.json.next_page_token;
    more.hidden = !token;
  }
  box.replaceChildren(h('h2', {}, name + (tenant ? ' of ' + tenant : '')), table, more, out, await createForm(col, tenant, () => {
    table.replaceChildren(table.firstChild); token = null; page();
  }));
  await page();
  return box;
}

async function createForm(col, tenant, done) {
  const { schema, example } = schemaOf(col);
  const text = h('textarea', { id: 'create-' + col.name, rows: 6 }, pretty(example || { id: '' }));
  const out = h('div');
  const go = async () => {
    let body;
    try { body = JSON.parse(text.value); } catch (e) { return out.replaceChildren(h('div', { class: 'problem' }, 'not JSON: ' + e.message)); }
    const errors = validate(body, schema, true);
    if (errors.length) return out.replaceChildren(h('div', { class: 'problem invalid' }, errors.join('; ')));
    const r = await api('POST', col.base.replace('{tenant}', tenant || ''), { body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
    if (!r.ok) return out.replaceChildren(problemView(r));
    out.replaceChildren(h('span', { class: 'ok' }, 'created ' + body.id + ' at revision ' + r.json.revision));
    done();
  };
  return h('details', { class: 'card' }, h('summary', {}, 'Create one of ' + col.name), text,
    h('div', { class: 'row' }, h('button', { id: 'create-' + col.name + '-go', onclick: go }, 'Create')), out);
}

async function itemView(name, id, tenant) {
  const col = await collection(name);
  const path = col.base.replace('{tenant}', tenant || '') + '/' + encodeURIComponent(id);
  const { schema } = schemaOf(col);
  const r = await api('GET', path);
  if (!r.ok) return h('div', {}, h('h2', {}, name + '/' + id), problemView(r));
  let etag = r.etag;
  const text = h('textarea', { id: 'edit', rows: 14 }, pretty(r.json));
  const out = h('div', { id: 'item-result' });
  const save = async (changed) => {
    let body;
    try { body = changed || JSON.parse(text.value); } catch (e) { return out.replaceChildren(h('div', { class: 'problem' }, 'not JSON: ' + e.message)); }
    const errors = validate(body, schema, false);
    if (errors.length) return out.replaceChildren(h('div', { class: 'problem invalid' }, errors.join('; ')));
    // If-Match: a change based on an older read is refused (412) instead of overwriting another operator's.
    const w = await api('PUT', path, { body, headers: { 'If-Match': etag } });
    if (!w.ok) return out.replaceChildren(problemView(w));
    const again = await api('GET', path);
    etag = again.etag; text.value = pretty(again.json);
    out.replaceChildren(h('span', { class: 'ok' }, 'saved at revision ' + w.json.revision));
  };
  const cascade = h('input', { type: 'checkbox', id: 'cascade' });
  const del = async () => {
    const what = name === 'tenants' && cascade.checked ? ' and its members, subscriptions and projects' : '';
    if (!confirm('Delete ' + name + '/' + id + what + '?')) return;
    const w = await api('DELETE', path + (name === 'tenants' && cascade.checked ? '?cascade=true' : ''), { headers: { 'If-Match': etag } });
    if (!w.ok) return out.replaceChildren(problemView(w));
    location.hash = tenant ? '#/tenant/' + tenant : name === 'tenants' ? '#/tenants' : '#/c/' + name;
  };
  const buttons = h('div', { class: 'row' }, h('button', { id: 'save', onclick: () => save() }, 'Save'),
    h('button', { class: 'danger', id: 'delete', onclick: del }, 'Delete'));
  if (name === 'tenants') {
    const suspended = r.json.status === 'suspended';
    buttons.append(h('button', { class: 'secondary', id: 'suspend', onclick: () => {
      const body = JSON.parse(text.value); body.status = suspended ? 'active' : 'suspended'; save(body).then(() => route());
    } }, suspended ? 'Reactivate' : 'Suspend'), h('label', {}, cascade, ' delete with its members, subscriptions and projects'));
  }
  return h('div', {}, h('h2', {}, name + '/' + id), text, buttons, out);
}

async function tenantView(id) {
  const box = h('div', {}, await itemView('tenants', id, null));
  for (const c of (await collections()).filter(c => c.scoped)) box.append(await listView(c.name, id, h('div', { class: 'card' })));
  return box;
}

// ---- routing matrix -------------------------------------------------------------------------
async function matrixView() {
  const tenant = h('input', { id: 'm-tenant', value: S.tenant, size: 12 });
  const env = h('input', { id: 'm-env', value: S.env, size: 6 });
  const surface = h('input', { id: 'm-surface', placeholder: 'surface', size: 10 });
  const app = h('input', { id: 'm-app', placeholder: 'app', size: 10 });
  const project = h('input', { id: 'm-project', placeholder: 'project', size: 10 });
  const table = h('table', { id: 'matrix' });
  const out = h('div', { id: 'matrix-result' });
  const backends = (await api('GET', '/v1/admin/backends?page_size=100')).json;
  const kinds = await api('GET', '/v1/admin/resource_kinds?page_size=100');
  if (!kinds.ok) return h('div', {}, h('h2', {}, 'Routing matrix'), problemView(kinds));
  async function load() {
    const headers = {};
    if (surface.value) headers['X-Surface-Id'] = surface.value;
    if (app.value) headers['X-App-Id'] = app.value;
    if (project.value) headers['X-Project-Id'] = project.value;
    table.replaceChildren(h('tr', {}, ...['kind', 'scope', 'route', 'backend', 'type', 'flip the tenant to'].map(t => h('th', {}, t))));
    for (const k of kinds.json.items) {
      const r = await api('GET', '/v1/routes/' + k.id, { tenant: tenant.value, env: env.value, headers });
      const row = h('tr', { 'data-kind': k.id });
      if (!r.ok) { row.append(h('td', {}, k.id), h('td', { colspan: 5 }, problemView(r))); table.append(row); continue; }
      const pick = h('select', { id: 'flip-' + k.id }, ...(backends ? backends.items : []).map(b => h('option', { value: b.id, selected: b.id === r.json.backend.id }, b.id)));
      const copy = h('input', { type: 'checkbox', id: 'copy-' + k.id });
      row.append(h('td', {}, k.id), h('td', { class: 'scope' }, r.json.scope), h('td', { class: 'route' }, r.json.route.id),
        h('td', { class: 'backend' }, r.json.backend.id), h('td', {}, r.json.backend.type),
        h('td', {}, pick, h('label', {}, copy, ' copy'), h('button', { class: 'secondary', id: 'flip-' + k.id + '-go',
          onclick: () => flip(k.id, r.json, pick.value, copy.checked) }, 'Flip')));
      table.append(row);
    }
  }
  async function flip(kind, current, to, copy) {
    const t = tenant.value;
    if (to === current.backend.id) return out.replaceChildren(h('span', { class: 'muted' }, kind + ' is already on ' + to));
    if (copy) {
      out.replaceChildren(h('span', { class: 'progress' }, 'copying ' + kind + ' of ' + t + ' from ' + current.backend.id + ' to ' + to + '…'));
      const c = await api('POST', '/v1/admin/tenants/' + t + '/copy', { body: { kind, from_backend: current.backend.id, to_backend: to } });
      if (!c.ok) return out.replaceChildren(problemView(c));
      out.replaceChildren(h('div', { id: 'copy-counts' }, 'copied: ' + JSON.stringify(c.json)));
    }
    const id = t + '_' + kind;
    const existing = await api('GET', '/v1/admin/routes/' + id);
    const body = { id, kind, tenant: t, backend: to };
    const w = existing.ok ? await api('PUT', '/v1/admin/routes/' + id, { body, headers: { 'If-Match': existing.etag } })
      : await api('POST', '/v1/admin/routes', { body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
    if (!w.ok) return out.append(problemView(w));
    out.append(h('div', { class: 'ok' }, kind + ' of ' + t + ' now routes to ' + to + ' (revision ' + w.json.revision + ')'));
    await load();
  }
  const view = h('div', {}, h('h2', {}, 'Routing matrix'),
    h('div', { class: 'row' }, 'tenant', tenant, 'env', env, surface, app, project, h('button', { id: 'm-load', onclick: load }, 'Show')), table, out);
  await load();
  return view;
}

// ---- policies -------------------------------------------------------------------------------
async function policiesView() {
  const out = h('div', { id: 'policy-result' });
  const active = await api('GET', '/v1/policies/active');
  const name = h('input', { id: 'bundle-name', placeholder: 'bundle name', size: 20 });
  const file = h('input', { type: 'file', id: 'bundle-file', accept: '.tar.gz,.tgz,application/gzip' });
  const upload = async () => {
    if (!name.value || !file.files[0]) return out.replaceChildren(h('div', { class: 'problem invalid' }, 'a bundle name and a .tar.gz file are required'));
    out.replaceChildren(h('span', { class: 'progress' }, 'uploading ' + file.files[0].size + ' bytes…'));
    const r = await api('PUT', '/v1/policies/bundles/' + encodeURIComponent(name.value), {
      body: await file.files[0].arrayBuffer(), headers: { 'Content-Type': 'application/gzip' } });
    out.replaceChildren(r.ok ? h('pre', { id: 'uploaded' }, pretty(r.json)) : problemView(r));
  };
  const diff = async () => {
    out.replaceChildren(h('span', { class: 'progress' }, 'evaluating ' + name.value + ' beside the active bundle on sampled decisions…'));
    const r = await api('POST', '/v1/policies/bundles/' + encodeURIComponent(name.value) + '/diff', { body: {} });
    out.replaceChildren(r.ok ? h('pre', { id: 'diff' }, pretty(r.json)) : problemView(r));
  };
  const activate = async (body) => {
    const r = await api('POST', '/v1/policies/active', { body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
    if (!r.ok) return out.replaceChildren(problemView(r));
    route();
  };
  return h('div', {}, h('h2', {}, 'Policies'),
    active.ok ? h('pre', { id: 'active' }, pretty(active.json)) : problemView(active),
    h('div', { class: 'card' }, h('div', { class: 'row' }, name, file, h('button', { id: 'upload', onclick: upload }, 'Upload'),
      h('button', { class: 'secondary', id: 'diff-go', onclick: diff }, 'Impact diff'),
      h('button', { id: 'activate', onclick: () => activate({ name: name.value }) }, 'Activate'),
      h('button', { class: 'secondary', id: 'rollback', onclick: () => activate({ rollback: true }) }, 'Roll back'))), out);
}

// ---- health ---------------------------------------------------------------------------------
async function healthView() {
  const r = await api('GET', '/health/ready', { token: null });
  const report = r.json || {};
  const listeners = h('table', { id: 'listeners' }, h('tr', {}, ...['listener', 'state', 'read time', 'last event', 'last error'].map(t => h('th', {}, t))));
  for (const [n, l] of Object.entries(report.listeners || {})) {
    listeners.append(h('tr', {}, h('td', {}, n), h('td', { class: l.state === 'live' ? 'ok' : 'bad' }, l.state),
      h('td', {}, l.read_time_micros ? new Date(l.read_time_micros / 1000).toISOString() : '—'),
      h('td', {}, l.last_event_age_ms === undefined ? '—' : Math.round(l.last_event_age_ms / 1000) + ' s ago'), h('td', {}, l.last_error || '')));
  }
  return h('div', {}, h('h2', {}, 'Health'),
    h('div', { class: 'row' }, 'status ', h('strong', { id: 'health-status', class: report.status === 'UP' ? 'ok' : 'bad' }, report.status || r.status),
      ' · Firestore ', report.firestore_reachable ? 'reachable' : 'unreachable', ' · staleness ', (report.staleness_ms || 0) + ' ms',
      ' · data revision ', String(report.data_revision), ' · bundle ', String(report.bundle_revision)),
    h('div', { class: 'row' }, 'unresolved secrets: ', (report.unresolved_secrets || []).join(', ') || 'none',
      ' · kinds without a default route: ', h('span', { id: 'no-default' }, (report.kinds_without_default_route || []).join(', ') || 'none')),
    report.startup && report.startup.not_ready_reason ? h('div', { class: 'problem' }, report.startup.not_ready_reason) : null,
    listeners);
}

// ---- playground -----------------------------------------------------------------------------
async function playgroundView() {
  const user = h('input', { id: 'p-user', value: 'u_admin', size: 12 });
  const tenant = h('input', { id: 'p-tenant', value: S.tenant, size: 12 });
  const env = h('input', { id: 'p-env', value: S.env, size: 6 });
  const scope = h('input', { id: 'p-project', placeholder: 'project (optional)', size: 14 });
  const token = h('textarea', { id: 'p-token', rows: 2, placeholder: "that user's token (or leave empty with the dev identity provider)" });
  const out = h('div', { id: 'p-result' });
  const go = async () => {
    let t = token.value.trim();
    if (!t) {
      const d = await api('POST', '/console/dev-sign-in', { token: null, body: { user_id: user.value.trim() } });
      if (!d.ok) return out.replaceChildren(problemView(d));
      t = d.json.token;
    }
    const headers = scope.value ? { 'X-Project-Id': scope.value } : {};
    const r = await api('GET', '/v1/context', { token: t, tenant: tenant.value, env: env.value, headers });
    out.replaceChildren(r.ok ? h('pre', { id: 'p-context' }, pretty(r.json)) : problemView(r));
  };
  return h('div', {}, h('h2', {}, 'Decision playground'),
    h('div', { class: 'row' }, 'user', user, 'tenant', tenant, 'env', env, scope, h('button', { id: 'p-go', onclick: go }, 'Resolve')), token, out);
}

// ---- router ---------------------------------------------------------------------------------
async function route() {
  // A later navigation supersedes one still loading: only the newest renders.
  const generation = route.generation = (route.generation || 0) + 1;
  if (!S.token) return signInView();
  const [path, query] = location.hash.replace(/^#\//, '').split('?');
  const parts = path.split('/');
  const params = new URLSearchParams(query || '');
  const page = parts[0] || 'tenants';
  await frame(page === 'c' ? 'c/' + parts[1] : page === 'tenant' ? 'tenants' : page);
  if (generation !== route.generation) return;
  show(h('span', { class: 'progress' }, 'loading…'));
  const views = {
    tenants: () => listView('tenants'),
    tenant: () => tenantView(parts[1]),
    c: () => listView(parts[1]),
    item: () => itemView(parts[1], parts[2], params.get('tenant')),
    matrix: matrixView, policies: policiesView, health: healthView, playground: playgroundView,
  };
  const view = await (views[page] || views.tenants)();
  if (generation === route.generation) show(view);
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', route);
