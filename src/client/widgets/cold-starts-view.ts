/**
 * Makes a server-rendered "cold-starts" widget live: enables its knobs and reruns the simulation when one moves.
 * Loaded on demand by live-widget.ts, so the engine is downloaded only when a reader scrolls near the widget.
 */
import { coldStartsSvg } from "./cold-starts-chart.ts";
import { BURST_SIZES, RATES_PER_MINUTE, describeRate, simulateColdStarts, statsOf, summarise } from "./cold-starts.ts";

/** Pause after the last knob movement before rerunning (a drag across the slider runs once, at the end). */
const SETTLE_MS = 120;

export function hydrate(root: HTMLElement): void {
  const q = <T extends Element>(selector: string): T => {
    const el = root.querySelector<T>(selector);
    if (!el) throw new Error(`live widget: ${selector} is missing`);
    return el;
  };
  const knobs = q<HTMLFieldSetElement>("fieldset");
  const rate = q<HTMLInputElement>("input[name=rate]");
  const rateText = q<HTMLOutputElement>("output");
  const burst = q<HTMLSelectElement>("select[name=burst]");
  const chart = q<HTMLElement>("[data-chart]");
  const status = q<HTMLElement>("[role=status]");
  const seed = Number(root.dataset.seed ?? "7");

  const read = () => ({
    ratePerMinute: RATES_PER_MINUTE[Number(rate.value)] ?? RATES_PER_MINUTE[0],
    burst: BURST_SIZES.find((b) => b === Number(burst.value)) ?? 1,
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const rerun = () => {
    timer = undefined;
    const result = simulateColdStarts({ ...read(), seed });
    chart.innerHTML = coldStartsSvg(result, status.id);
    for (const stat of statsOf(result)) {
      const dd = root.querySelector(`[data-stat="${stat.key}"]`);
      if (dd) dd.textContent = stat.value;
    }
    root.removeAttribute("aria-busy");
    // A polite live region: read out once the reader pauses, never interrupting.
    status.textContent = summarise(result);
  };
  const schedule = () => {
    const text = describeRate(read().ratePerMinute);
    rateText.textContent = text;
    rate.setAttribute("aria-valuetext", text);
    root.setAttribute("aria-busy", "true");
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(rerun, SETTLE_MS);
  };

  rate.addEventListener("input", schedule);
  burst.addEventListener("change", schedule);
  knobs.disabled = false;
  root.dataset.live = "true";
}
