#include "viewer_page.hpp"

namespace trainscape::app {

std::string base64(const std::uint8_t* data, std::size_t size) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (std::size_t i = 0; i < size; i += 3) {
    const std::uint32_t b0 = data[i], b1 = i + 1 < size ? data[i + 1] : 0, b2 = i + 2 < size ? data[i + 2] : 0;
    const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < size ? kAlphabet[v & 63] : '=';
  }
  return out;
}

namespace {

// The page. The script reads DATA = JSON of #run-data:
//   {title, kind, x_name, y_name, config (resolved YAML), frames_per_step, fps,
//    palettes: {name: base64 of 256 RGB triples (entry k = position in [k/256, (k+1)/256))},
//    frames: [{index, cols, rows, cx, cy, hx, hy (log10 window: centre, half-widths),
//              measure (base64 float32 little-endian, row 0 = y_min), converged (base64, one byte
//              per pixel, 1 = trained), edge_pixels, porespy, fit: [D, low, high],
//              pair: [D, low, high], channels: {name: base64 float32, like measure} for each
//              stored channel of docs/channels.md (divergence_step, lyapunov, sharpness,
//              edge_of_stability)}],
//    sequence: {porespy, fit, pair}, plots: [{name, svg (base64)}]}
const char kPageHead[] = R"PAGE(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>@TITLE@</title>
<style>
body { font-family: sans-serif; margin: 16px; color: #222; background: #fafafa; }
h1 { font-size: 20px; margin: 0 0 8px 0; }
#main { display: flex; gap: 20px; flex-wrap: wrap; align-items: flex-start; }
#view { border: 1px solid #888; image-rendering: auto; cursor: crosshair; display: block; }
#controls { margin: 8px 0; display: flex; gap: 8px; align-items: center; }
#scrub { width: 360px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { padding: 2px 8px 2px 0; text-align: left; vertical-align: top; }
pre { background: #eee; padding: 6px; white-space: pre-wrap; word-break: break-all; font-size: 12px; max-width: 640px; }
#plots img { max-width: 640px; display: block; margin-bottom: 12px; background: white; }
.muted { color: #666; font-size: 12px; }
</style>
</head>
<body>
<h1>@TITLE@</h1>
<div id="main">
<div>
<canvas id="view" width="2" height="2"></canvas>
<div id="controls">
<button id="prev" title="previous keyframe">&#9664;</button>
<button id="play">play</button>
<button id="next" title="next keyframe">&#9654;</button>
<input id="scrub" type="range" min="0" max="0" step="1" value="0">
<select id="palette"></select>
<select id="channel" title="what the colours show" hidden></select>
</div>
<div id="position" class="muted"></div>
</div>
<div>
<table id="hover"><tr><td colspan="2" class="muted">Move the pointer over the picture.</td></tr></table>
<div id="info" hidden></div>
<h3>Frame</h3>
<table id="frame-info"></table>
<h3>Zoom there</h3>
<div class="muted">Click the picture. Save the run's config below as config.yaml, then run:</div>
<pre id="command">(click a point)</pre>
<details><summary>config.yaml</summary><pre id="config"></pre></details>
</div>
</div>
<h2>Plots</h2>
<div id="plots"></div>
<script type="application/json" id="run-data">)PAGE";

const char kPageTail[] = R"PAGE(</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("run-data").textContent);

function decode(b64) {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
function floats(b64, n) { return new Float32Array(decode(b64).buffer, 0, n); }
// values[name]: what the picture can be coloured by: the measure and every stored channel.
const frames = DATA.frames.map(f => {
  const n = f.cols * f.rows, measure = floats(f.measure, n), values = { measure: measure };
  for (const name of Object.keys(f.channels || {})) values[name] = floats(f.channels[name], n);
  return Object.assign({}, f, { measure: measure, converged: decode(f.converged), values: values });
});
const channelNames = Object.keys(frames[0].values).filter(name => name !== "measure");
let channelName = "measure";
const palettes = {};
for (const name of Object.keys(DATA.palettes)) palettes[name] = decode(DATA.palettes[name]);
const K = frames.length;
const N = DATA.frames_per_step;

// ---- colour stretch (palette.hpp: ColourStretch) ----
function linspaceAt(lo, hi, n, k) { return n === 1 ? lo : (k === n - 1 ? hi : lo + k * ((hi - lo) / (n - 1))); }
function makeStretch(m) {
  const neg = [], other = [];
  for (const v of m) { if (Number.isNaN(v)) continue; (v < 0 ? neg : other).push(v); }
  return { neg: Float64Array.from(neg).sort(), other: Float64Array.from(other).sort() };
}
function interpRank(s, v, lo, hi) {
  const n = s.length;
  if (n === 0) return lo;
  let a = 0, b = n;  // first index with s[i] > v
  while (a < b) { const mid = (a + b) >> 1; if (s[mid] <= v) a = mid + 1; else b = mid; }
  if (a === 0) return lo;
  const j = a - 1, fj = linspaceAt(lo, hi, n, j);
  if (s[j] === v || j + 1 === n) return fj;
  const fk = linspaceAt(lo, hi, n, j + 1);
  return fj + (v - s[j]) * (fk - fj) / (s[j + 1] - s[j]);
}
function equalise(st, v) {
  if (Number.isNaN(v)) return NaN;
  return v < 0 ? interpRank(st.neg, v, -1, -0.25) : interpRank(st.other, v, 0.25, 1);
}
// A channel is coloured like the measure (docs/channels.md#rendering): its negative values on the
// blue half, the others on the red half, each ranked within its frame.
const stretches = new Map();
function stretchOf(k) {
  const key = channelName + ":" + k;
  if (!stretches.has(key)) stretches.set(key, makeStretch(frames[k].values[channelName]));
  return stretches.get(key);
}
const eqCache = new Map();
function equalised(frame, stretch) {
  const key = channelName + ":" + frame + ":" + stretch;
  if (!eqCache.has(key)) {
    const st = stretchOf(stretch), m = frames[frame].values[channelName], out = new Float64Array(m.length);
    for (let i = 0; i < m.length; i++) out[i] = equalise(st, m[i]);
    eqCache.set(key, out);
  }
  return eqCache.get(key);
}

// ---- geometry (movie.hpp: view_between, stretch_ease) ----
function viewBetween(a, b, phase) {
  function axis(c0, h0, c1, h1) {
    if (phase === 0) return [0, h0];
    const ratio = h1 / h0, shrink = Math.pow(ratio, phase), d = c1 - c0;
    return [Math.abs(1 - ratio) < 1e-12 ? d * phase : d * (1 - shrink) / (1 - ratio), h0 * shrink];
  }
  const x = axis(a.cx, a.hx, b.cx, b.hx), y = axis(a.cy, a.hy, b.cy, b.hy);
  return { ox: x[0], hx: x[1], oy: y[0], hy: y[1] };
}
function ease(phase) { const s = Math.sin(Math.PI / 2 * phase); return s * s; }
// The four pixels around (row, col) and their bilinear weights (movie.cpp: bilinear_taps).
function taps(f, row, col) {
  row = Math.min(Math.max(row, 0), f.rows - 1);
  col = Math.min(Math.max(col, 0), f.cols - 1);
  if (Math.abs(row - Math.round(row)) < 1e-9) row = Math.round(row);
  if (Math.abs(col - Math.round(col)) < 1e-9) col = Math.round(col);
  const r0 = Math.min(Math.floor(row), f.rows - 1), c0 = Math.min(Math.floor(col), f.cols - 1);
  const fr = row - r0, fc = col - c0;
  if (fr === 0 && fc === 0) return [[r0 * f.cols + c0, 1]];
  const r1 = Math.min(r0 + 1, f.rows - 1), c1 = Math.min(c0 + 1, f.cols - 1);
  return [[r0 * f.cols + c0, (1 - fr) * (1 - fc)], [r0 * f.cols + c1, (1 - fr) * fc],
          [r1 * f.cols + c0, fr * (1 - fc)], [r1 * f.cols + c1, fr * fc]];
}

// The state: s in [0, K-1] (keyframe k at s = k).
let s = 0, paletteName = "spectral", lastView = null;
const canvas = document.getElementById("view");
const ctx = canvas.getContext("2d");
const scale = Math.max(1, Math.ceil(480 / Math.max(frames[0].cols, frames[0].rows)));
canvas.width = (frames[0].cols - 1) * scale + 1;
canvas.height = (frames[0].rows - 1) * scale + 1;

function positionOf(sv) {
  let k = Math.floor(sv + 1e-12), phase = sv - k;
  if (k >= K - 1) { k = K - 1; phase = 0; }
  if (phase < 1e-12) phase = 0;
  return { k: k, phase: phase };
}
function currentView() {
  const p = positionOf(s), base = frames[p.k];
  const between = p.phase > 0 && p.k + 1 < K;
  const v = between ? viewBetween(base, frames[p.k + 1], p.phase) : { ox: 0, oy: 0, hx: base.hx, hy: base.hy };
  return { k: p.k, phase: between ? p.phase : 0, between: between, v: v };
}
// Layer coordinates of canvas pixel (i = row from the top, j = column).
function layerCoords(view, layer, i, j) {
  const W = canvas.width, H = canvas.height, base = frames[view.k], f = frames[view.k + layer];
  const qx = (2 * j - (W - 1)) / (W - 1), qy = ((H - 1) - 2 * i) / (H - 1);
  const sx = layer === 0 ? 0 : f.cx - base.cx, sy = layer === 0 ? 0 : f.cy - base.cy;
  const ux = (view.v.hx / f.hx) * qx + (view.v.ox - sx) / f.hx;
  const uy = (view.v.hy / f.hy) * qy + (view.v.oy - sy) / f.hy;
  return { f: f, ux: ux, uy: uy, col: (ux + 1) * (f.cols - 1) / 2, row: (uy + 1) * (f.rows - 1) / 2 };
}
function colourOf(lut, e) {
  const t = (-e + 1) / 2;
  if (Number.isNaN(t)) return [0, 0, 0];
  const k = t * 256 < 0 ? 0 : (t * 256 >= 256 ? 255 : Math.floor(t * 256));
  return [lut[3 * k], lut[3 * k + 1], lut[3 * k + 2]];
}
function draw() {
  const view = currentView(), lut = palettes[paletteName];
  lastView = view;
  const layers = view.between ? 2 : 1, e = ease(view.phase);
  const eq = [];
  for (let l = 0; l < layers; l++) eq.push([equalised(view.k + l, view.k), layers > 1 ? equalised(view.k + l, view.k + 1) : null]);
  const W = canvas.width, H = canvas.height, img = ctx.createImageData(W, H);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let r = 0, g = 0, b = 0;
      for (let l = 0; l < layers; l++) {
        const c = layerCoords(view, l, i, j);
        if (l === 1 && (Math.abs(c.ux) > 1 || Math.abs(c.uy) > 1)) continue;
        // Resampled in colour, as the movie does.
        const rgb = [0, 0, 0];
        for (const [at, w] of taps(c.f, c.row, c.col)) {
          let v = eq[l][0][at];
          if (view.between) v = (1 - e) * v + e * eq[l][1][at];
          const tap = colourOf(lut, v);
          rgb[0] += w * tap[0]; rgb[1] += w * tap[1]; rgb[2] += w * tap[2];
        }
        const a = l === 0 ? 1 : view.phase;
        r = (1 - a) * r + a * rgb[0]; g = (1 - a) * g + a * rgb[1]; b = (1 - a) * b + a * rgb[2];
      }
      const o = 4 * (i * W + j);
      img.data[o] = Math.round(r); img.data[o + 1] = Math.round(g); img.data[o + 2] = Math.round(b); img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  const scrub = document.getElementById("scrub");
  scrub.value = String(Math.round(s * N));
  document.getElementById("position").textContent = view.phase === 0
      ? "keyframe " + frames[view.k].index + " of " + K
      : "between keyframes " + frames[view.k].index + " and " + frames[view.k + 1].index + " (" + (100 * view.phase).toFixed(0) + "%)";
  showFrameInfo(frames[Math.min(K - 1, Math.round(s))]);
}

function fmt(v, digits) { return v === null || v === undefined || Number.isNaN(v) ? "n/a" : Number(v).toFixed(digits); }
function estimateText(e) { return e && e[0] !== null ? fmt(e[0], 4) + (e[1] !== null ? " [" + fmt(e[1], 4) + ", " + fmt(e[2], 4) + "]" : "") : "n/a"; }
function setRows(table, rows) {
  table.replaceChildren();
  for (const [k, v] of rows) {
    const tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
    th.textContent = k; td.textContent = v; tr.append(th, td); table.append(tr);
  }
}
function showFrameInfo(f) {
  setRows(document.getElementById("frame-info"), [
    ["frame", f.index + " of " + K],
    [DATA.x_name + " (log10)", "[" + (f.cx - f.hx).toPrecision(10) + ", " + (f.cx + f.hx).toPrecision(10) + "]"],
    [DATA.y_name + " (log10)", "[" + (f.cy - f.hy).toPrecision(10) + ", " + (f.cy + f.hy).toPrecision(10) + "]"],
    ["pixels", f.cols + " x " + f.rows + ", " + f.edge_pixels + " on the boundary"],
    ["porespy median", fmt(f.porespy, 4)],
    ["box-count fit [95%]", estimateText(f.fit)],
    ["pair estimator [95%]", estimateText(f.pair)],
    ["sequence (all frames)", "porespy " + fmt(DATA.sequence.porespy, 4) + ", fit " + estimateText(DATA.sequence.fit)]]);
}

// The keyframe pixel under canvas pixel (i, j): the finer layer once it is more than half faded in.
function pixelAt(i, j) {
  const view = lastView || currentView();
  let c = null;
  if (view.between && view.phase >= 0.5) {
    const fine = layerCoords(view, 1, i, j);
    if (Math.abs(fine.ux) <= 1 && Math.abs(fine.uy) <= 1) c = fine;
  }
  if (!c) c = layerCoords(view, 0, i, j);
  const f = c.f;
  const col = Math.min(f.cols - 1, Math.max(0, Math.round(c.col))), row = Math.min(f.rows - 1, Math.max(0, Math.round(c.row)));
  const lx = f.cx + f.hx * (2 * col - (f.cols - 1)) / (f.cols - 1);
  const ly = f.cy + f.hy * (2 * row - (f.rows - 1)) / (f.rows - 1);
  // The exact point under the pointer (not snapped to a pixel), for the zoom command.
  const px = f.cx + f.hx * c.ux, py = f.cy + f.hy * c.uy;
  const channels = {};
  for (const name of channelNames) channels[name] = f.values[name][row * f.cols + col];
  return { f: f, col: col, row: row, lx: lx, ly: ly, px: px, py: py, channels: channels,
           measure: f.measure[row * f.cols + col], converged: f.converged[row * f.cols + col] === 1 };
}
function canvasPixel(ev) {
  const rect = canvas.getBoundingClientRect();
  const j = Math.min(canvas.width - 1, Math.max(0, Math.floor((ev.clientX - rect.left) * canvas.width / rect.width)));
  const i = Math.min(canvas.height - 1, Math.max(0, Math.floor((ev.clientY - rect.top) * canvas.height / rect.height)));
  return [i, j];
}
canvas.addEventListener("mousemove", ev => {
  const [i, j] = canvasPixel(ev), p = pixelAt(i, j);
  const cls = p.converged ? "converged" : "diverged";
  setRows(document.getElementById("hover"), [
    ["pixel", "column " + p.col + ", row " + p.row + " of frame " + p.f.index],
    [DATA.x_name, Math.pow(10, p.lx).toPrecision(8) + "  (log10 " + p.lx.toPrecision(12) + ")"],
    [DATA.y_name, Math.pow(10, p.ly).toPrecision(8) + "  (log10 " + p.ly.toPrecision(12) + ")"],
    ["class", cls],
    ["measure", p.measure.toPrecision(6)]].concat(
    channelNames.map(name => [name, name === "divergence_step" ? String(p.channels[name]) : p.channels[name].toPrecision(6)])));
  const info = document.getElementById("info");
  info.dataset.frame = p.f.index; info.dataset.col = p.col; info.dataset.row = p.row;
  info.dataset.log10x = p.lx; info.dataset.log10y = p.ly; info.dataset.class = cls; info.dataset.measure = p.measure;
  info.dataset.channels = JSON.stringify(p.channels);
});
canvas.addEventListener("click", ev => {
  const [i, j] = canvasPixel(ev), p = pixelAt(i, j);
  document.getElementById("command").textContent =
      "trainscape zoom config.yaml --set \"zoom.target=[" + p.px.toPrecision(17) + ", " + p.py.toPrecision(17) + "]\"";
});

function setS(v, updateHash) {
  s = Math.min(K - 1, Math.max(0, v));
  if (updateHash && Number.isInteger(s)) history.replaceState(null, "", "#frame=" + s);
  draw();
}
function fromHash() {
  const m = /frame=(\d+)/.exec(location.hash);
  if (m) setS(Math.min(K - 1, parseInt(m[1], 10)), false); else setS(0, false);
}
let playing = false, lastTime = 0;
function tick(t) {
  if (!playing) return;
  if (lastTime) setS(s + (t - lastTime) / 1000 * DATA.fps / N, false);
  lastTime = t;
  if (s >= K - 1) { playing = false; document.getElementById("play").textContent = "play"; return; }
  requestAnimationFrame(tick);
}
document.getElementById("play").addEventListener("click", () => {
  playing = !playing;
  document.getElementById("play").textContent = playing ? "pause" : "play";
  if (playing) { if (s >= K - 1) s = 0; lastTime = 0; requestAnimationFrame(tick); }
});
document.getElementById("prev").addEventListener("click", () => setS(Math.ceil(s - 1e-9) - 1, true));
document.getElementById("next").addEventListener("click", () => setS(Math.floor(s + 1e-9) + 1, true));
const scrub = document.getElementById("scrub");
scrub.max = String((K - 1) * N);
scrub.addEventListener("input", () => setS(Number(scrub.value) / N, true));
const select = document.getElementById("palette");
for (const name of Object.keys(palettes)) { const o = document.createElement("option"); o.value = o.textContent = name; select.append(o); }
select.addEventListener("change", () => { paletteName = select.value; draw(); });
const channelSelect = document.getElementById("channel");
for (const name of ["measure"].concat(channelNames)) {
  const o = document.createElement("option"); o.value = o.textContent = name; channelSelect.append(o);
}
channelSelect.hidden = channelNames.length === 0;
channelSelect.addEventListener("change", () => { channelName = channelSelect.value; draw(); });
window.addEventListener("hashchange", fromHash);
document.getElementById("config").textContent = DATA.config;
for (const p of DATA.plots) {
  const img = document.createElement("img");
  img.alt = p.name; img.src = "data:image/svg+xml;base64," + p.svg;
  document.getElementById("plots").append(img);
}
fromHash();
document.body.dataset.ready = "1";
</script>
</body>
</html>
)PAGE";

}  // namespace

std::string viewer_page(const std::string& title, const std::string& data_json) {
  std::string head = kPageHead;
  for (std::size_t at; (at = head.find("@TITLE@")) != std::string::npos;) head.replace(at, 7, title);
  return head + data_json + kPageTail;
}

}  // namespace trainscape::app
