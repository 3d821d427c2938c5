// The dashboard page: listens to the server's Server-Sent Events (/events) and draws what they
// carry. The figures come computed (src/dashboard/figures.ts); this file only lays them out.
// EventSource reconnects by itself; a connection that went silent is replaced.
import * as echarts from '/vendor/echarts.js';
import { categoriesOption, cumulativeOption, fruitOption, hourlyOption } from './charts.js';
import { age, change, exactCount, exactDollars, figure } from './format.js';

// for the browser console and the browser tests: echarts.getInstanceByDom(element)
globalThis.echarts = echarts;

const $ = (id) => document.getElementById(id);
/** The server says how fresh the data is every second; this long without a word, the connection is replaced. */
const SILENT_MS = 5000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const CHARTS = { hourly: hourlyOption, categories: categoriesOption, cumulative: cumulativeOption, fruit: fruitOption };
const instances = Object.fromEntries(Object.keys(CHARTS).map((id) => [id, echarts.init($(id))]));
new ResizeObserver(() => Object.values(instances).forEach((c) => c.resize())).observe(document.querySelector('main'));

const ARROW = '<svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true"><path d="M12 2 21 12h-6v10H9V12H3z" fill="currentColor"/></svg>';
const TREND_TURN = { up: 0, flat: 90, down: 180 };

/** The day asked for in the address (?date=), or null: the server's default day, followed. */
const askedDay = () => {
  const date = new URLSearchParams(location.search).get('date');
  return date && DAY.test(date) ? date : null;
};

let asked = askedDay();
/** A drawing of the charts is already scheduled (render). */
let chartsDue = false;
let shown = null;
let source = null;
let heard = 0;
let freshness = null;

function setConnection(state) {
  $('connection').dataset.state = state;
  showFreshness();
}

function showFreshness() {
  const state = $('connection').dataset.state;
  let text = 'Connecting…';
  if (state === 'closed') text = 'Disconnected: reconnecting…';
  if (state === 'open') {
    const newest = freshness?.newest;
    text = newest == null ? 'Live · no purchases read yet' : `Live · newest purchase ${age(freshness.now - newest + (Date.now() - freshness.received))} ago`;
  }
  $('connection-text').textContent = text;
}

function connect() {
  source?.close();
  source = new EventSource(`/events${asked ? `?date=${asked}` : ''}`);
  heard = Date.now();
  setConnection('connecting');
  source.onopen = () => setConnection('open');
  source.addEventListener('figures', (e) => {
    heard = Date.now();
    render(JSON.parse(e.data));
  });
  source.addEventListener('freshness', (e) => {
    heard = Date.now();
    freshness = { ...JSON.parse(e.data), received: Date.now() };
    if ($('connection').dataset.state !== 'open') setConnection('open');
    else showFreshness();
  });
  source.onerror = () => {
    setConnection('closed');
    // a refused answer closes an EventSource for good; a lost connection it retries itself
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
  };
}

setInterval(() => {
  if (Date.now() - heard > SILENT_MS) {
    setConnection('closed');
    connect();
  } else {
    showFreshness();
  }
}, 1000);

function go(date) {
  asked = date;
  history.pushState(null, '', date ? `?date=${date}` : location.pathname);
  connect();
}

window.addEventListener('popstate', () => {
  asked = askedDay();
  connect();
});
$('date').addEventListener('change', (e) => {
  if (DAY.test(e.target.value)) go(e.target.value);
});
$('previous').addEventListener('click', () => go(neighbour(-1)));
$('next').addEventListener('click', () => go(neighbour(1)));
$('latest').addEventListener('click', () => go(null));

/** The day with purchases before (-1) or after (+1) the one shown. */
function neighbour(step) {
  const days = shown?.days ?? [];
  const date = shown?.date;
  const candidates = step < 0 ? days.filter((d) => d < date) : days.filter((d) => d > date);
  return step < 0 ? candidates.at(-1) : candidates[0];
}

function render(data) {
  shown = data;
  document.title = data.date ? `Smoothie Cafe Daily Sales: ${data.date}` : 'Smoothie Cafe Daily Sales';
  $('title').textContent = data.date ? `Smoothie Cafe Daily Sales: ${data.date}` : 'Smoothie Cafe Daily Sales: no purchases yet';
  const picker = $('date');
  picker.value = data.date ?? '';
  picker.min = data.days[0] ?? '';
  picker.max = data.days.at(-1) ?? '';
  $('previous').disabled = !neighbour(-1);
  $('next').disabled = !neighbour(1);
  $('latest').setAttribute('aria-pressed', String(asked === null));
  renderTiles(data);
  renderTable(data);
  // the charts take longest to draw: the tiles and the table are painted first, the charts (of the
  // newest figures, once however many arrived meanwhile) right after that frame
  if (!chartsDue) {
    chartsDue = true;
    requestAnimationFrame(() => setTimeout(() => {
      chartsDue = false;
      for (const [id, option] of Object.entries(CHARTS)) instances[id].setOption(option(shown), { replaceMerge: ['series'] });
    }));
  }
}

function renderTiles(data) {
  const tiles = $('tiles');
  for (const t of data.tiles) {
    let tile = tiles.querySelector(`[data-key="${t.key}"]`);
    if (!tile) {
      tile = document.createElement('article');
      tile.className = 'tile';
      tile.dataset.key = t.key;
      tile.innerHTML = `<div class="label"></div><div class="note"></div><div class="figure"><span class="value"></span><span class="trend"></span></div>`;
      tile.querySelector('.label').textContent = t.label;
      tile.querySelector('.note').textContent = t.note ?? '';
      tiles.append(tile);
    }
    const value = tile.querySelector('.value');
    value.textContent = figure(t.kind, t.value);
    value.title = figure(t.kind, t.value, true);
    const trend = tile.querySelector('.trend');
    trend.className = `trend ${t.trend}`;
    trend.dataset.trend = t.trend;
    trend.innerHTML = t.trend === 'none' ? '' : ARROW;
    if (t.trend !== 'none') trend.firstChild.style.transform = `rotate(${TREND_TURN[t.trend]}deg)`;
    trend.title = t.previous === null
      ? 'No purchases the day before in the same hours to compare with'
      : `${data.compared.date} until ${data.compared.until}: ${figure(t.kind, t.previous, true)} (${change(t.value, t.previous)})`;
  }
}

function barCell(value, max, text) {
  const td = document.createElement('td');
  td.className = 'number';
  const bar = document.createElement('div');
  bar.className = 'bar';
  bar.style.width = `${max > 0 ? (value / max) * 100 : 0}%`;
  const label = document.createElement('span');
  label.textContent = text;
  td.append(bar, label);
  return td;
}

function renderTable(data) {
  const body = $('top').tBodies[0];
  const before = new Map([...body.rows].map((r) => [r.dataset.product, r.dataset.sales]));
  const maxDrinks = Math.max(0, ...data.top.rows.map((r) => r.drinks));
  const maxSales = Math.max(0, ...data.top.rows.map((r) => r.sales));
  body.replaceChildren(...data.top.rows.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.product = r.product_id;
    tr.dataset.sales = String(r.sales);
    const id = document.createElement('td');
    id.textContent = r.product_id;
    tr.append(id, barCell(r.drinks, maxDrinks, exactCount(r.drinks)), barCell(r.sales, maxSales, exactDollars(r.sales)));
    // a row that changed since the last push flashes
    if (before.size && before.get(r.product_id) !== tr.dataset.sales) tr.className = 'fresh';
    return tr;
  }));
  $('total-drinks').textContent = exactCount(data.top.total.drinks);
  $('total-sales').textContent = exactDollars(data.top.total.sales);
}

connect();
