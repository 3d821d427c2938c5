// The four charts' ECharts options from the server's figures (src/dashboard/figures.ts). Colours
// follow the original dashboard: one colour per drink category, the same in the bars and the pie.
// Pure.
import { axisDollars, count, exactCount, exactDollars, hourLabel, hourRange } from './format.js';

const CATEGORY_COLOURS = ['#4ea5dc', '#efb440', '#7f54b0', '#93d4b9', '#e0676d', '#5ac189', '#a3a3a3'];
const FRUIT_COLOURS = { Fruit: '#93d4b9', 'No fruit': '#d97ac6', Unknown: '#a3a3a3' };
const TEXT = '#2f3a45';

/** Every category the day has, in the order the bars list them, to a colour. */
function colours(data) {
  const names = [...new Set([...data.hourly.map((s) => s.name), ...data.categories.map((c) => c.name)])].sort();
  return new Map(names.map((name, i) => [name, CATEGORY_COLOURS[i % CATEGORY_COLOURS.length]]));
}

const legend = { top: 0, type: 'scroll', textStyle: { color: TEXT } };
const grid = { left: 8, right: 16, top: 40, bottom: 8, containLabel: true };
const hourAxis = (hours) => ({ type: 'category', data: hours, axisLabel: { formatter: hourLabel, color: TEXT }, name: 'Time (hour)', nameLocation: 'middle', nameGap: 28 });
const moneyAxis = { type: 'value', axisLabel: { formatter: axisDollars, color: TEXT } };
const hourTitle = (params) => `${params[0].axisValue.slice(0, 10)} ${hourRange(params[0].axisValue)}`;

const drinksTooltip = {
  trigger: 'item',
  formatter: (p) => `${p.marker}${p.name}: ${exactCount(p.value)} drinks (${p.percent.toFixed(1)} %)`,
};

function pie(slices, colourOf) {
  return {
    type: 'pie',
    radius: ['0%', '62%'],
    center: ['50%', '56%'],
    data: slices.map((s) => ({ name: s.name, value: s.value, itemStyle: { color: colourOf(s.name) } })),
    label: { formatter: (p) => `${p.name}: ${count(p.value)}`, color: TEXT },
  };
}

export function hourlyOption(data) {
  const colour = colours(data);
  return {
    legend,
    grid: { ...grid, bottom: 28 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params) => {
        const total = params.reduce((s, p) => s + Math.round(p.value * 100), 0) / 100;
        return [hourTitle(params), ...params.map((p) => `${p.marker}${p.seriesName}: ${exactDollars(p.value)}`), `Total: ${exactDollars(total)}`].join('<br>');
      },
    },
    xAxis: hourAxis(data.hours),
    yAxis: moneyAxis,
    series: data.hourly.map((s) => ({ name: s.name, type: 'bar', stack: 'sales', data: s.data, itemStyle: { color: colour.get(s.name) } })),
  };
}

export function categoriesOption(data) {
  const colour = colours(data);
  return { legend, tooltip: drinksTooltip, series: [{ name: 'Drinks by category', ...pie(data.categories, (n) => colour.get(n)) }] };
}

export function cumulativeOption(data) {
  return {
    grid: { ...grid, top: 24, bottom: 28 },
    tooltip: { trigger: 'axis', formatter: (params) => `${hourTitle(params)}<br>Sales to the end of the hour: ${exactDollars(params[0].value)}` },
    xAxis: { ...hourAxis(data.hours), boundaryGap: false },
    yAxis: moneyAxis,
    series: [{ name: 'Cumulative sales', type: 'line', data: data.cumulative, smooth: false, symbolSize: 6, itemStyle: { color: '#4ea5dc' }, areaStyle: { opacity: 0.08 } }],
  };
}

export function fruitOption(data) {
  return { legend, tooltip: drinksTooltip, series: [{ name: 'Drinks by fruit', ...pie(data.fruit, (n) => FRUIT_COLOURS[n] ?? '#a3a3a3') }] };
}
