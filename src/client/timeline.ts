/**
 * Draws the failing scenario: one lane per execution environment, each invocation a focusable bar on the virtual
 * time axis, the records that broke the check emphasised, the selected invocation's log lines beside it, a table
 * with the same facts for screen readers, and the simplifications the result depends on.
 */
import type { FailureDetail } from "../grader/report.ts";
import { h } from "./dom.ts";
import { buildTimeline, logsOf, seconds, type Bar } from "./timeline-model.ts";

const LEGEND: Array<[string, string]> = [
  ["tl-swatch tl-init", "❄ INIT: cold start, or re-init after a reset"],
  ["tl-swatch outcome-success", "succeeded"],
  ["tl-swatch outcome-error", "✕ error"],
  ["tl-swatch outcome-timeout", "◷ timeout"],
  ["tl-swatch outcome-oom", "OOM: out of memory"],
  ["tl-swatch outcome-throttled", "⊘ throttled, ⊗ discarded, ⊖ rejected (never ran)"],
  ["tl-swatch tl-hit", "! broke the check"],
];

export function renderTimeline(failure: FailureDetail, simplifications: readonly string[], idPrefix: string): HTMLElement {
  const model = buildTimeline(failure);
  const allBars = model.lanes.flatMap((l) => l.bars).sort((a, b) => a.number - b.number);
  const logsId = `${idPrefix}-logs`;
  const logsPanel = h("section", { class: "tl-logs", id: logsId, "aria-labelledby": `${logsId}-title` });
  const buttons = new Map<number, HTMLButtonElement>();

  const select = (bar: Bar) => {
    for (const [seq, button] of buttons) button.setAttribute("aria-pressed", String(seq === bar.seq));
    const lines = logsOf(bar.record, failure.logs);
    logsPanel.replaceChildren(
      h("h4", { id: `${logsId}-title` }, `Logs of invocation ${bar.number}`),
      h("p", { class: "tl-logs-meta" }, bar.label),
      lines.length > 0
        ? h("pre", { class: "tl-log-lines", tabindex: 0, role: "region", "aria-label": `Log lines of invocation ${bar.number}` }, lines.map((l) => `${seconds(l.t).padStart(10)}  ${l.text}\n`).join(""))
        : h("p", {}, bar.record.envId ? "No log lines." : "This request never reached an environment, so it has no log lines."),
    );
  };

  const lanes = model.lanes.map((lane) =>
    h(
      "div",
      { class: "tl-lane", role: "group", "aria-label": lane.name === "not run" ? "Requests that never ran" : `Execution environment ${lane.name}` },
      h("div", { class: "tl-lane-name", "aria-hidden": "true" }, lane.name),
      h(
        "div",
        { class: "tl-track" },
        model.breaks.map((b) => h("span", { class: "tl-gap", style: `left:${b.at.toFixed(3)}%;width:${b.width}%`, "aria-hidden": "true" })),
        lane.bars.map((bar) => {
          const button = h(
            "button",
            {
              type: "button",
              class: `tl-bar outcome-${bar.record.outcome}${bar.highlighted ? " tl-hit" : ""}${bar.record.envId ? "" : " tl-marker"}`,
              style: `left:${bar.left.toFixed(3)}%;width:${bar.width.toFixed(3)}%`,
              "aria-label": bar.name,
              "aria-pressed": "false",
              "aria-controls": logsId,
              title: bar.label,
            },
            bar.initShare > 0 ? h("span", { class: "tl-init", style: `width:${bar.initShare.toFixed(2)}%`, "aria-hidden": "true" }) : null,
            // Drawn as generated content, so that the short visible tag is not taken for the bar's name.
            h("span", {
              class: "tl-bar-text",
              "aria-hidden": "true",
              "data-text": `${bar.highlighted ? "! " : ""}${bar.record.cold ? "❄ " : ""}${bar.record.attempt > 1 ? `↻${bar.record.attempt} ` : ""}${bar.tag || `#${bar.number}`}`,
            }),
          );
          button.addEventListener("click", () => select(bar));
          buttons.set(bar.seq, button);
          return button;
        }),
      ),
    ),
  );

  const axis = h(
    "div",
    { class: "tl-axis", "aria-hidden": "true" },
    model.ticks.map((t) => h("span", { class: `tl-tick tl-tick-${t.edge}`, style: `left:${t.at.toFixed(3)}%` }, t.label)),
    // A break label near the right end is anchored on its right so that it stays inside the axis.
    model.breaks.map((b) => h("span", { class: "tl-break", style: b.at < 60 ? `left:${b.at.toFixed(3)}%` : `right:${(100 - b.at - b.width).toFixed(3)}%` }, `⋯ ${b.label}`)),
  );

  const table = h(
    "table",
    // The table scrolls sideways on a phone, so it takes keyboard focus.
    { class: "tl-table", tabindex: 0 },
    h("caption", {}, `Every invocation in "${failure.scenario}", in start order`),
    h("thead", {}, h("tr", {}, ["#", "Environment", "Start", "End", "Start kind", "Attempt", "Outcome", "Duration", "Billed", "Memory used", "Broke the check"].map((c) => h("th", { scope: "col" }, c)))),
    h(
      "tbody",
      {},
      allBars.map((bar) => {
        const r = bar.record;
        return h(
          "tr",
          { class: bar.highlighted ? "tl-row-hit" : null },
          h("th", { scope: "row" }, String(bar.number)),
          h("td", {}, r.envId ?? "not run"),
          h("td", {}, seconds(r.envId ? r.startedAt : r.arrivedAt)),
          h("td", {}, r.envId ? seconds(r.endedAt) : "–"),
          h("td", {}, r.cold ? (r.initKind === "reset" ? "re-init" : "cold") : r.envId ? "warm" : "–"),
          h("td", {}, `${r.attempt}${r.delivery > 1 ? ` (delivery ${r.delivery})` : ""}`),
          h("td", {}, `${r.outcome}${r.error ? ` ${r.error.errorType}` : ""}`),
          h("td", {}, r.envId ? `${Math.round(r.durationMs).toLocaleString("en-US")} ms` : "–"),
          h("td", {}, r.envId ? `${r.billedMs.toLocaleString("en-US")} ms` : "–"),
          h("td", {}, r.envId ? `${r.maxMemoryUsedMB} of ${r.memorySizeMB} MB` : "–"),
          h("td", {}, bar.highlighted ? "yes" : ""),
        );
      }),
    ),
  );

  const root = h(
    "section",
    { class: "timeline", "aria-labelledby": `${idPrefix}-title` },
    h("h3", { id: `${idPrefix}-title` }, `What happened in "${failure.scenario}"`),
    h("p", {}, failure.description),
    h("p", { class: "tl-failed-check" }, h("strong", {}, `Failed: ${failure.check}. `), failure.message),
    h("p", { class: "tl-help" }, "Each bar is one invocation on the simulated clock; select a bar to read its log lines."),
    h(
      "div",
      { class: "tl-layout" },
      h("div", { class: "tl-chart" }, h("div", { class: "tl-lanes" }, lanes), axis, h("ul", { class: "tl-legend", "aria-label": "Legend" }, LEGEND.map(([cls, text]) => h("li", {}, h("span", { class: cls, "aria-hidden": "true" }), text)), h("li", {}, "↻2: attempt 2 (a retry)"), h("li", {}, "#n: invocation n"))),
      logsPanel,
    ),
    h("details", { class: "tl-table-wrap" }, h("summary", {}, "The same timeline as a table"), table),
    simplifications.length > 0
      ? h(
          "section",
          { class: "tl-simplifications", "aria-labelledby": `${idPrefix}-simpl` },
          h("h4", { id: `${idPrefix}-simpl` }, "Simplifications this result depends on"),
          h("p", {}, "The simulator makes these modelling choices where AWS documents nothing exact; they are not AWS guarantees."),
          h("ul", {}, simplifications.map((s) => h("li", {}, s))),
        )
      : null,
  );
  const first = allBars.find((b) => b.highlighted) ?? allBars.find((b) => b.record.outcome !== "success") ?? allBars[0];
  if (first) select(first);
  return root;
}
