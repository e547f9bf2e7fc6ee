/**
 * The Monaco editor of an exercise: IntelliSense for `workbook:aws` and the handler's context, the theme of the page,
 * and a way out for keyboard users (Esc then Tab, or Ctrl+M to make Tab move focus). Loaded with a dynamic import.
 */
import { monaco } from "./monaco.ts";
import type { CodeEditor } from "./code-editor.ts";

export interface EditorOptions {
  label: string;
  /** Element ids describing the editor (the "how to leave" hint). */
  describedBy: string;
  /** Called with a sentence to announce (e.g. how to leave after Esc). */
  announce: (message: string) => void;
  leaveMessage: string;
}

function pageTheme(): "sgw-light" | "sgw-dark" {
  const attr = document.documentElement.dataset.theme;
  const dark = attr ? attr === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  return dark ? "sgw-dark" : "sgw-light";
}

/**
 * Monaco's own themes with the colours that fell short of WCAG AA (4.5:1) replaced: comments, numbers and line
 * numbers, the diff backgrounds under every token colour, and the highlight of the word under the cursor (Monaco's
 * default darkens it so far that keywords on it fall to 4.3:1; a faint fill with an outline keeps it visible).
 */
function defineThemes(): void {
  const rules = (c: Record<string, string>) => Object.entries(c).map(([token, foreground]) => ({ token, foreground }));
  monaco.editor.defineTheme("sgw-light", {
    base: "vs",
    inherit: true,
    rules: rules({ comment: "1d6b1d", number: "076b48", type: "1a6a7a" }),
    colors: {
      "editorLineNumber.foreground": "#5f6672",
      "editorLineNumber.activeForeground": "#1b1f24",
      "diffEditor.removedLineBackground": "#ffeef0",
      "diffEditor.removedTextBackground": "#ffd9dc",
      "diffEditor.insertedLineBackground": "#eefaf0",
      "diffEditor.insertedTextBackground": "#cff0d6",
      "editor.wordHighlightBackground": "#0000000d",
      "editor.wordHighlightStrongBackground": "#0000000d",
      "editor.wordHighlightTextBackground": "#0000000d",
      "editor.wordHighlightBorder": "#5f6672",
    },
  });
  monaco.editor.defineTheme("sgw-dark", {
    base: "vs-dark",
    inherit: true,
    rules: rules({ comment: "8cb878", keyword: "7cb6ea", string: "d69a82", regexp: "ea8b8b" }),
    colors: {
      "editorLineNumber.foreground": "#9da3ab",
      "editorLineNumber.activeForeground": "#e8eaed",
      "diffEditor.removedLineBackground": "#2f1e20",
      "diffEditor.removedTextBackground": "#432326",
      "diffEditor.insertedLineBackground": "#1c2d20",
      "diffEditor.insertedTextBackground": "#22402b",
      "editor.wordHighlightBackground": "#ffffff14",
      "editor.wordHighlightStrongBackground": "#ffffff14",
      "editor.wordHighlightTextBackground": "#ffffff14",
      "editor.wordHighlightBorder": "#9da3ab",
    },
  });
}

function followPageTheme(): void {
  defineThemes();
  monaco.editor.setTheme(pageTheme());
  new MutationObserver(() => monaco.editor.setTheme(pageTheme())).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => monaco.editor.setTheme(pageTheme()));
}

const TABBABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** Moves focus to the first focusable element after (or before) `container` in document order. */
function focusOutside(container: HTMLElement, backwards: boolean): void {
  const candidates = [...document.querySelectorAll<HTMLElement>(TABBABLE)].filter(
    (el) => !container.contains(el) && el.offsetParent !== null && !el.closest("[hidden], [inert]"),
  );
  const after = (el: HTMLElement) => Boolean(container.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
  const target = backwards ? candidates.filter((el) => !after(el)).pop() : candidates.find(after);
  target?.focus();
}

let themeFollowed = false;
let modelCount = 0;

export function createMonacoEditor(container: HTMLElement, value: string, options: EditorOptions): CodeEditor {
  if (!themeFollowed) {
    followPageTheme();
    themeFollowed = true;
  }
  const model = monaco.editor.createModel(value, "javascript", monaco.Uri.parse(`file:///exercise/handler-${++modelCount}.js`));
  container.replaceChildren();
  const editor = monaco.editor.create(container, {
    model,
    ariaLabel: options.label,
    automaticLayout: true,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    // A narrow gutter leaves room for code on a phone.
    lineNumbersMinChars: 3,
    lineDecorationsWidth: 6,
    glyphMargin: false,
    folding: false,
    // Coloured bracket pairs and a dimmed last line number fall short of the contrast the site keeps.
    bracketPairColorization: { enabled: false },
    renderFinalNewline: "on",
    fontSize: 14,
    tabSize: 2,
    wordWrap: "on",
    accessibilitySupport: "auto",
    fixedOverflowWidgets: true,
    // Respect reduced motion: no blinking cursor, no smooth scrolling or animated caret.
    ...(matchMedia("(prefers-reduced-motion: reduce)").matches ? { cursorBlinking: "solid" as const, smoothScrolling: false, cursorSmoothCaretAnimation: "off" as const } : {}),
  });
  // The element Monaco focuses carries the description of how to leave it: a textarea, or an EditContext element
  // (role="textbox") where the browser has that API, as Chromium does.
  container.querySelector('textarea, [role="textbox"]')?.setAttribute("aria-describedby", options.describedBy);

  let escaped = false;
  editor.onKeyDown((e) => {
    if (e.keyCode === monaco.KeyCode.Escape) {
      escaped = true;
      options.announce(options.leaveMessage);
      return;
    }
    if (e.keyCode === monaco.KeyCode.Tab && escaped) {
      e.preventDefault();
      e.stopPropagation();
      escaped = false;
      focusOutside(container, e.shiftKey);
      return;
    }
    if (e.keyCode !== monaco.KeyCode.Shift) escaped = false;
  });
  editor.onDidBlurEditorText(() => (escaped = false));

  let diff: monaco.editor.IStandaloneDiffEditor | null = null;
  return {
    getValue: () => model.getValue(),
    setValue: (v) => model.setValue(v),
    focus: () => editor.focus(),
    onChange: (listener) => void model.onDidChangeContent(listener),
    showDiff(target, mine, solution) {
      if (!diff) {
        diff = monaco.editor.createDiffEditor(target, {
          readOnly: true,
          originalEditable: false,
          automaticLayout: true,
          renderSideBySide: target.clientWidth > 700,
          useInlineViewWhenSpaceIsLimited: true,
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          bracketPairColorization: { enabled: false },
          renderFinalNewline: "on",
          diffWordWrap: "on",
          fontSize: 14,
        });
        diff.getOriginalEditor().updateOptions({ ariaLabel: "Your code (read-only copy)" });
        diff.getModifiedEditor().updateOptions({ ariaLabel: "Reference solution (read-only)" });
      }
      const old = diff.getModel();
      diff.setModel({ original: monaco.editor.createModel(mine, "javascript"), modified: monaco.editor.createModel(solution, "javascript") });
      old?.original.dispose();
      old?.modified.dispose();
    },
  };
}
