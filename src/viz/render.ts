/**
 * Rendering back ends of tf.viz, each loaded on first use so that `import * as tf from 'tapeflow'` stays
 * light: Vega (a Vega spec -> SVG, headless in Node), Vega-Lite (a Vega-Lite spec -> a Vega spec), resvg
 * (SVG -> PNG or RGBA pixels) and gifenc (RGBA frames -> an animated GIF).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** A Vega specification (JSON). */
export type VegaSpec = Record<string, unknown>;

type VegaModule = typeof import('vega');
type VegaLiteModule = typeof import('vega-lite');
type ResvgModule = typeof import('@resvg/resvg-js');
type GifencModule = typeof import('gifenc');

let vegaModule: Promise<VegaModule> | undefined;
let vegaLiteModule: Promise<VegaLiteModule> | undefined;
let resvgModule: Promise<ResvgModule> | undefined;
let gifencModule: Promise<GifencModule> | undefined;
let vegaBrowserScript: Promise<string> | undefined;

function missing(name: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`tf.viz: cannot load '${name}' (install it with npm install ${name}): ${reason}`);
}

export function loadVega(): Promise<VegaModule> {
  vegaModule ??= import('vega').catch((e: unknown) => {
    vegaModule = undefined;
    throw missing('vega', e);
  });
  return vegaModule;
}

export function loadVegaLite(): Promise<VegaLiteModule> {
  vegaLiteModule ??= import('vega-lite').catch((e: unknown) => {
    vegaLiteModule = undefined;
    throw missing('vega-lite', e);
  });
  return vegaLiteModule;
}

export function loadResvg(): Promise<ResvgModule> {
  resvgModule ??= import('@resvg/resvg-js').catch((e: unknown) => {
    resvgModule = undefined;
    throw missing('@resvg/resvg-js', e);
  });
  return resvgModule;
}

export function loadGifenc(): Promise<GifencModule> {
  gifencModule ??= import('gifenc')
    .then((m) => {
      // Node loads gifenc's CommonJS build: its exports are the namespace, or the namespace's default.
      const ns = m as GifencModule & { default?: GifencModule };
      return typeof ns.quantize === 'function' ? ns : (ns.default as GifencModule);
    })
    .catch((e: unknown) => {
      gifencModule = undefined;
      throw missing('gifenc', e);
    });
  return gifencModule;
}

/** The browser build of Vega (vega.min.js), inlined into HTML pages so that they open without a network. */
export function vegaBrowserBuild(): Promise<string> {
  vegaBrowserScript ??= (async () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('vega');
    const path = entry.replace(/[^/\\]+$/, 'vega.min.js');
    return readFile(path, 'utf8');
  })().catch((e: unknown) => {
    vegaBrowserScript = undefined;
    throw missing('vega', e);
  });
  return vegaBrowserScript;
}

/** Compiles a Vega-Lite spec to Vega. */
export async function compileVegaLite(spec: Record<string, unknown>): Promise<VegaSpec> {
  const vl = await loadVegaLite();
  return vl.compile(spec as never).spec as unknown as VegaSpec;
}

/** Renders a Vega spec to SVG text in Node (no browser), with the given signal values set first. */
export async function vegaToSvg(spec: VegaSpec, signals: Record<string, unknown> = {}): Promise<string> {
  const vega = await loadVega();
  const view = new vega.View(vega.parse(spec as never), { renderer: 'none' });
  for (const [name, value] of Object.entries(signals)) view.signal(name, value);
  await view.runAsync();
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Renders every frame of an animated Vega spec (signal `frame` = 0 .. frames - 1) to SVG text. */
export async function vegaFramesToSvg(spec: VegaSpec, frames: readonly number[]): Promise<string[]> {
  const vega = await loadVega();
  const view = new vega.View(vega.parse(spec as never), { renderer: 'none' });
  const out: string[] = [];
  for (const frame of frames) {
    view.signal('frame', frame);
    await view.runAsync();
    out.push(await view.toSVG());
  }
  view.finalize();
  return out;
}

export interface RasterOptions {
  /** Pixels per SVG unit (default 1). */
  scale?: number;
  /** Background colour (default white). */
  background?: string;
}

function resvgOptions(options: RasterOptions) {
  return {
    fitTo: { mode: 'zoom' as const, value: options.scale ?? 1 },
    background: options.background ?? 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  };
}

/** SVG text -> PNG bytes. */
export async function svgToPng(svg: string, options: RasterOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await loadResvg();
  return new Uint8Array(new Resvg(svg, resvgOptions(options)).render().asPng());
}

/** SVG text -> RGBA pixels. */
export async function svgToRgba(
  svg: string,
  options: RasterOptions = {},
): Promise<{ pixels: Uint8Array; width: number; height: number }> {
  const { Resvg } = await loadResvg();
  const image = new Resvg(svg, resvgOptions(options)).render();
  return { pixels: new Uint8Array(image.pixels), width: image.width, height: image.height };
}

/** SVG frames -> an animated GIF (looping), `delayMs` per frame and `holdMs` on the last. */
export async function svgFramesToGif(
  frames: readonly string[],
  options: RasterOptions & { delayMs?: number; holdMs?: number } = {},
): Promise<Uint8Array> {
  if (frames.length === 0) throw new RangeError('tf.viz: an animation needs at least one frame');
  const { GIFEncoder, quantize, applyPalette } = await loadGifenc();
  const images = [];
  for (const svg of frames) images.push(await svgToRgba(svg, options));
  // One palette for every frame, from the last frame (it shows every path and colour).
  const last = images[images.length - 1]!;
  const palette = quantize(last.pixels, 256, { format: 'rgb444' });
  const gif = GIFEncoder();
  images.forEach((image, i) => {
    const index = applyPalette(image.pixels, palette, 'rgb444');
    const delay = i === images.length - 1 ? (options.holdMs ?? 1500) : (options.delayMs ?? 80);
    gif.writeFrame(
      index,
      image.width,
      image.height,
      i === 0 ? { palette, delay, repeat: 0 } : { palette, delay },
    );
  });
  gif.finish();
  return gif.bytes();
}
