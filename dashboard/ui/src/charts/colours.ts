/** Series colours shared by the chart and the HTML legend (kept apart so the legend does not pull in recharts). */

/** Colour-blind-friendly palette (Okabe–Ito), in the order series are added. */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C564B'];

/** The colour of the series at `index`; the palette repeats past eight series. */
export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length] ?? '#000000';
}
