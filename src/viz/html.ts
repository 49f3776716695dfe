/**
 * Self-contained HTML pages: the Vega runtime, the figures' specs and a small player (play / pause /
 * scrub) are inlined, so a page opens without a network. Still figures given as SVG are inlined as is.
 */
import type { Figure } from './figure.js';
import { vegaBrowserBuild } from './render.js';

export interface PageSection {
  heading?: string;
  /** Trusted HTML shown before the figures (tables, notes). */
  html?: string;
  figures?: Figure[];
}

export interface PageOptions {
  title: string;
  /** Trusted HTML under the title. */
  intro?: string;
  sections: PageSection[];
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto;
  max-width: 1200px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
figure.tf-figure { margin: 1rem 0; padding: 0.5rem; border: 1px solid #eee; border-radius: 6px; overflow-x: auto; }
figure.tf-figure figcaption { color: #555; font-size: 0.9rem; margin-top: 0.4rem; }
.tf-title { font-weight: 600; margin-bottom: 0.3rem; }
.tf-controls { display: flex; gap: 0.6rem; align-items: center; margin: 0.4rem 0; }
.tf-controls input[type=range] { flex: 1; max-width: 480px; }
.tf-controls button { min-width: 5.5rem; }
.tf-label { font-variant-numeric: tabular-nums; color: #333; min-width: 10rem; }
table.tf-numbers { border-collapse: collapse; font-size: 0.9rem; margin: 0.6rem 0; }
table.tf-numbers th, table.tf-numbers td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left;
  font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
table.tf-numbers th { background: #f6f6f6; font-family: inherit; }
td.tf-ok { color: #0a7a28; } td.tf-off { color: #b3261e; }
`;

/* The player: one per animated figure. window.tapeflowViz = { ready, players } lets tests drive it. */
const PLAYER = `
(function () {
  var specs = JSON.parse(document.getElementById('tf-specs').textContent);
  var players = [];
  function makePlayer(el, view, fig) {
    var play = el.querySelector('.tf-play');
    var scrub = el.querySelector('.tf-scrub');
    var label = el.querySelector('.tf-label');
    var timer = null;
    var p = { frame: 0, frames: fig.frames, playing: false, view: view };
    function show(k) {
      p.frame = Math.max(0, Math.min(fig.frames - 1, k));
      scrub.value = String(p.frame);
      label.textContent = fig.labels[p.frame] || ('frame ' + p.frame);
      return view.signal('frame', p.frame).runAsync();
    }
    function stop() { if (timer) clearInterval(timer); timer = null; p.playing = false; play.textContent = 'Play'; }
    function start() {
      if (p.frame >= fig.frames - 1) show(0);
      p.playing = true; play.textContent = 'Pause';
      timer = setInterval(function () {
        if (p.frame >= fig.frames - 1) { stop(); return; }
        show(p.frame + 1);
      }, fig.delayMs);
    }
    play.addEventListener('click', function () { if (p.playing) stop(); else start(); });
    scrub.addEventListener('input', function () { stop(); show(Number(scrub.value)); });
    p.show = show; p.start = start; p.stop = stop;
    return show(0).then(function () { return p; });
  }
  var figures = Array.prototype.slice.call(document.querySelectorAll('[data-tf-figure]'));
  var ready = Promise.all(figures.map(function (el) {
    var fig = specs[Number(el.getAttribute('data-tf-figure'))];
    var view = new vega.View(vega.parse(fig.spec), { renderer: 'svg', container: el.querySelector('.tf-view'), hover: false });
    return view.runAsync().then(function () {
      if (fig.frames > 1) return makePlayer(el, view, fig).then(function (p) { players.push(p); });
    });
  })).then(function () { document.body.setAttribute('data-tf-ready', 'true'); });
  window.tapeflowViz = { ready: ready, players: players };
})();
`;

function figureHtml(figure: Figure, index: number | null, svg: string | null): string {
  // Each picture draws its own title; the figure's title labels it for assistive technology.
  const caption = figure.caption ? `<figcaption>${escapeHtml(figure.caption)}</figcaption>` : '';
  if (index === null) {
    return `<figure class="tf-figure" aria-label="${escapeHtml(figure.title)}"><div class="tf-view">${svg ?? ''}</div>${caption}</figure>`;
  }
  const controls = figure.animated
    ? `<div class="tf-controls"><button type="button" class="tf-play">Play</button>` +
      `<input type="range" class="tf-scrub" min="0" max="${figure.frames - 1}" step="1" value="0" aria-label="frame">` +
      `<span class="tf-label"></span></div>`
    : '';
  return `<figure class="tf-figure" aria-label="${escapeHtml(figure.title)}" data-tf-figure="${index}">${controls}<div class="tf-view"></div>${caption}</figure>`;
}

/** A self-contained HTML page with the sections' notes and figures (animations with a player). */
export async function pageHtml(options: PageOptions): Promise<string> {
  const specs: { spec: unknown; frames: number; labels: string[]; delayMs: number }[] = [];
  const body: string[] = [`<h1>${escapeHtml(options.title)}</h1>`];
  if (options.intro) body.push(options.intro);
  for (const section of options.sections) {
    body.push('<section>');
    if (section.heading) body.push(`<h2>${escapeHtml(section.heading)}</h2>`);
    if (section.html) body.push(section.html);
    for (const figure of section.figures ?? []) {
      if (figure.spec === undefined) {
        const svg = (await figure.svg()).replace(/^<\?xml[^>]*>\s*/, '');
        body.push(figureHtml(figure, null, svg));
      } else {
        body.push(figureHtml(figure, specs.length, null));
        specs.push({
          spec: figure.spec,
          frames: figure.frames,
          labels: figure.frameLabels,
          delayMs: figure.delayMs,
        });
      }
    }
    body.push('</section>');
  }
  const scripts =
    specs.length === 0
      ? ''
      : `<script id="tf-specs" type="application/json">${scriptJson(specs)}</script>\n` +
        `<script>${(await vegaBrowserBuild()).replace(/<\/script/gi, '<\\/script')}</script>\n` +
        `<script>${PLAYER}</script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tapeflow tf.viz">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
${scripts}
</body>
</html>
`;
}

/** An HTML table of rows (cells escaped), the header first; `okColumn` marks agreement per row. */
export function tableHtml(
  header: string[],
  rows: string[][],
  ok?: (row: string[]) => boolean | null,
): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const lines = rows.map((row) => {
    const verdict = ok?.(row);
    const cls = verdict === true ? ' class="tf-ok"' : verdict === false ? ' class="tf-off"' : '';
    return `<tr>${row.map((c, i) => `<td${i === 1 ? cls : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  return `<table class="tf-numbers">${head}${lines.join('')}</table>`;
}
