/**
 * `tf.viz`: pictures of training and of optimizers, for Node and the browser. Every picture is a
 * {@link Figure} that renders to standalone SVG, PNG, an animated GIF and a self-contained HTML page:
 *
 * - `await tf.viz.historyChart(history)`: loss and metrics per epoch, train vs validation (Vega-Lite);
 * - `await tf.viz.descent({ learningRates: [0.01 / 6, 0.1, 1] })`: seed 001's point sliding down a 1-D
 *   loss curve, one panel per learning rate, animated step by step;
 * - `await tf.viz.race({ surface: 'rosenbrock', optimizers: ['sgd', 'adam'] })`: a contour plot of a loss
 *   surface with several optimizers' paths animated together;
 * - `tf.viz.graph(loss)` / `tf.viz.graph(tape.toDot(loss))`: the computation graph, laid out here;
 * - `tf.viz.page({ title, sections })`: one HTML report with several figures.
 *
 * Then `await fig.save('out.html' | 'out.svg' | 'out.png' | 'out.gif')`. Vega, Vega-Lite, resvg and gifenc
 * are loaded on first use, so importing tapeflow stays light.
 */
export {
  type DescentOptions,
  type DescentPath,
  descentAnimation as descent,
  descentPaths,
  frameSteps,
  type LossFn1D,
  seed001Loss,
} from './descent.js';
export { Figure, type FigureInit, type GifOptions } from './figure.js';
export {
  type DotEdge,
  type DotNode,
  graphFigure as graph,
  graphSvg,
  layoutGraph,
  parseDot,
} from './graph.js';
export { type HistoryChartOptions, type HistoryLike, historyChart, historyRows } from './history.js';
export { escapeHtml, type PageOptions, type PageSection, pageHtml as page, tableHtml } from './html.js';
export { type RasterOptions, svgToPng, type VegaSpec, vegaToSvg } from './render.js';
export {
  type LossFn2D,
  makeOptimizer,
  OPTIMIZER_NAMES,
  type OptimizerName,
  optimizerRace as race,
  type RaceOptions,
  type RacePath,
  racePaths,
  SURFACE_NAMES,
  SURFACES,
  type Surface,
  type SurfaceName,
  surfaceByName,
} from './surface.js';
