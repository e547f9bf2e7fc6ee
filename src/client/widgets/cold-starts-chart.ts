/**
 * The "cold-starts" chart as SVG text: one row per execution environment (rows are reused once an environment is
 * gone), a pale bar while it exists, a tall mark at its cold start and short marks where it served warm requests.
 * The chart stretches to the width it is given (its time axis labels are HTML, see axisLabels). Plain strings, no DOM: the build puts it in the static page and the browser swaps it in when a knob moves.
 * Colours come from CSS custom properties the component defines for both themes.
 */
import type { ColdStartsResult } from "./cold-starts.ts";

const WIDTH = 640;
const TOP = 2;
const MAX_PLOT_HEIGHT = 220;

export function coldStartsSvg(result: ColdStartsResult, labelledBy: string): string {
  const window = result.input.windowMs;
  const lanes = Math.max(1, result.lanes);
  const laneHeight = Math.max(4, Math.min(lanes <= 3 ? 28 : 16, Math.floor(MAX_PLOT_HEIGHT / lanes)));
  const bar = Math.max(2, Math.round(laneHeight * 0.6));
  const plotHeight = lanes * laneHeight;
  const height = TOP + plotHeight + 2;
  const x = (t: number) => (t / window) * WIDTH;
  const parts: string[] = [];

  for (const env of result.environments) {
    const y = TOP + env.lane * laneHeight + (laneHeight - bar) / 2;
    const x0 = x(env.createdAt);
    const w = Math.max(1, x(env.endedAt) - x0);
    parts.push(`<rect class="lw-alive" x="${r(x0)}" y="${r(y)}" width="${r(w)}" height="${bar}"/>`);
    // Warm invocations, merged into runs of whole pixels so that busy rows stay a few shapes.
    let runStart = -1;
    let runEnd = -1;
    const flush = () => {
      if (runStart >= 0) parts.push(`<rect class="lw-warm" x="${runStart}" y="${r(y)}" width="${runEnd - runStart + 1}" height="${bar}"/>`);
    };
    for (const t of env.warmStarts) {
      const px = Math.min(WIDTH - 1, Math.floor(x(t)));
      if (px <= runEnd + 1 && runStart >= 0) runEnd = Math.max(runEnd, px);
      else {
        flush();
        runStart = px;
        runEnd = px;
      }
    }
    flush();
  }
  // Cold starts last, so that they sit on top: taller than the row, so they differ by shape as well as colour.
  for (const env of result.environments) {
    const y = TOP + env.lane * laneHeight;
    parts.push(`<rect class="lw-cold" x="${r(Math.min(WIDTH - 4, x(env.createdAt)))}" y="${r(y)}" width="4" height="${laneHeight - 1}"/>`);
  }

  return (
    `<svg class="lw-svg" viewBox="0 0 ${WIDTH} ${height}" height="${height}" role="img" aria-labelledby="${labelledBy}" preserveAspectRatio="none">` +
    parts.join("") +
    `<line class="lw-axis" x1="0" x2="${WIDTH}" y1="${height - 1}" y2="${height - 1}"/>` +
    `</svg>`
  );
}

/** Axis labels for the chart's time axis (HTML, so they keep their size when the chart is stretched). */
export function axisLabels(windowMs: number): string[] {
  const labels: string[] = [];
  const step = windowMs <= 2 * 3_600_000 ? 30 : 60;
  for (let m = 0; m * 60_000 <= windowMs; m += step) labels.push(`${m} min`);
  return labels;
}

function r(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}
