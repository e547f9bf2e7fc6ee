/** What the island needs from an editor: Monaco (editor.ts) or, if Monaco cannot load, a plain textarea. */
export interface CodeEditor {
  getValue(): string;
  setValue(value: string): void;
  focus(): void;
  onChange(listener: () => void): void;
  /** Shows `solution` compared with `mine` in `container` (read-only; the learner's code is not touched). */
  showDiff(container: HTMLElement, mine: string, solution: string): void;
}

/** The fallback: a labelled textarea, so a learner can still edit and grade without Monaco. */
export function textareaEditor(container: HTMLElement, value: string, label: string, describedBy: string): CodeEditor {
  const area = document.createElement("textarea");
  area.className = "island-textarea";
  area.value = value;
  area.spellcheck = false;
  area.setAttribute("aria-label", label);
  area.setAttribute("aria-describedby", describedBy);
  container.replaceChildren(area);
  return {
    getValue: () => area.value,
    setValue: (v) => (area.value = v),
    focus: () => area.focus(),
    onChange: (listener) => area.addEventListener("input", listener),
    showDiff(target, _mine, solution) {
      const pre = document.createElement("pre");
      pre.textContent = solution;
      target.replaceChildren(pre);
    },
  };
}
