/**
 * A Figure: one picture (a chart, an animation or a graph drawing) that renders to standalone SVG, PNG,
 * an animated GIF (animations) and a self-contained HTML page.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { pageHtml } from './html.js';
import {
  type RasterOptions,
  svgFramesToGif,
  svgToPng,
  type VegaSpec,
  vegaFramesToSvg,
  vegaToSvg,
} from './render.js';

export interface FigureInit {
  title: string;
  /** A Vega spec (charts, animations), or ready SVG text (graph drawings). */
  spec?: VegaSpec;
  svg?: string;
  /** Animation frames (signal `frame` = 0 .. frames - 1); 1 for a still picture. */
  frames?: number;
  /** What each frame shows ("step 12"), for the player and the GIF. */
  frameLabels?: string[];
  /** A sentence under the picture. */
  caption?: string;
  /** Milliseconds per frame when played (default 80). */
  delayMs?: number;
}

export interface GifOptions extends RasterOptions {
  /** At most this many frames in the GIF (evenly chosen, the last always kept; default 60). */
  maxFrames?: number;
  /** Milliseconds per frame (default: the figure's delay) and on the last frame (default 1500). */
  delayMs?: number;
  holdMs?: number;
}

export class Figure {
  readonly title: string;
  readonly spec: VegaSpec | undefined;
  readonly frames: number;
  readonly frameLabels: string[];
  readonly caption: string;
  readonly delayMs: number;
  private readonly svgText: string | undefined;

  constructor(init: FigureInit) {
    if ((init.spec === undefined) === (init.svg === undefined)) {
      throw new TypeError('tf.viz.Figure: give exactly one of spec (Vega) or svg (SVG text)');
    }
    this.title = init.title;
    this.spec = init.spec;
    this.svgText = init.svg;
    this.frames = Math.max(1, init.frames ?? 1);
    this.frameLabels = init.frameLabels ?? [];
    this.caption = init.caption ?? '';
    this.delayMs = init.delayMs ?? 80;
  }

  /** Whether the figure is an animation (more than one frame). */
  get animated(): boolean {
    return this.frames > 1;
  }

  /** Standalone SVG text of one frame (default: the last, which shows the whole path). */
  async svg(frame = this.frames - 1): Promise<string> {
    if (this.svgText !== undefined) return this.svgText;
    const f = Math.min(this.frames - 1, Math.max(0, Math.round(frame)));
    return withXmlHeader(await vegaToSvg(this.spec!, this.animated ? { frame: f } : {}));
  }

  /** PNG bytes of one frame (default the last), `scale` pixels per SVG unit. */
  async png(options: RasterOptions & { frame?: number } = {}): Promise<Uint8Array> {
    return svgToPng(await this.svg(options.frame), options);
  }

  /** An animated GIF (a still picture gives a one-frame GIF). */
  async gif(options: GifOptions = {}): Promise<Uint8Array> {
    const picks = pickFrames(this.frames, options.maxFrames ?? 60);
    const svgs = this.svgText !== undefined ? [this.svgText] : await vegaFramesToSvg(this.spec!, picks);
    const stride = this.frames / picks.length;
    return svgFramesToGif(svgs, {
      ...options,
      delayMs: options.delayMs ?? Math.round(this.delayMs * Math.max(1, stride)),
    });
  }

  /** A self-contained HTML page (no network needed to open it) with this figure and its player. */
  html(options: { title?: string } = {}): Promise<string> {
    return pageHtml({ title: options.title ?? this.title, sections: [{ figures: [this] }] });
  }

  /**
   * Writes the figure to `path`, the format chosen by the extension (.svg, .png, .gif, .html); creates
   * the folder. Returns the path.
   */
  async save(path: string, options: RasterOptions = {}): Promise<string> {
    const ext = extname(path).toLowerCase();
    let content: string | Uint8Array;
    if (ext === '.svg') content = await this.svg();
    else if (ext === '.png') content = await this.png(options);
    else if (ext === '.gif') content = await this.gif(options);
    else if (ext === '.html' || ext === '.htm') content = await this.html();
    else
      throw new RangeError(`tf.viz: cannot save '${path}': the extension must be .svg, .png, .gif or .html`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return path;
  }
}

function withXmlHeader(svg: string): string {
  return svg.startsWith('<?xml') ? svg : `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
}

/** `count` frame indices spread evenly over 0 .. frames - 1, always including the first and the last. */
export function pickFrames(frames: number, count: number): number[] {
  if (frames <= count) return Array.from({ length: frames }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round((i * (frames - 1)) / (count - 1)));
  return [...out];
}
