/// <reference types="vite/client" />
/**
 * Monaco, trimmed to what the exercise editor uses: the core API, JavaScript colouring, the TypeScript service for
 * IntelliSense, the diff editor (reference solution) and the usual editing contributions. Loaded only by the exercise
 * island, after the grading worker has started (~2.7 MB before trimming; see toolchain.md).
 */
import * as monaco from "monaco-editor/editor/editor.api";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import TsWorker from "monaco-editor/language/typescript/ts.worker?worker";
import { javascriptDefaults, ScriptTarget, ModuleKind } from "monaco-editor/languages/features/typescript/register";
import "monaco-editor/languages/definitions/javascript/register";
import "monaco-editor/editor/browser/coreCommands";
import "monaco-editor/editor/browser/widget/diffEditor/diffEditor.contribution";
import "monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching";
import "monaco-editor/editor/contrib/clipboard/browser/clipboard";
import "monaco-editor/editor/contrib/codelens/browser/codelensController";
import "monaco-editor/editor/contrib/comment/browser/comment";
import "monaco-editor/editor/contrib/contextmenu/browser/contextmenu";
import "monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo";
import "monaco-editor/editor/contrib/dnd/browser/dnd";
import "monaco-editor/editor/contrib/dropOrPasteInto/browser/dropIntoEditorContribution";
import "monaco-editor/editor/contrib/documentSymbols/browser/documentSymbols";
import "monaco-editor/editor/contrib/find/browser/findController";
import "monaco-editor/editor/contrib/gotoError/browser/gotoError";
import "monaco-editor/editor/contrib/hover/browser/hoverContribution";
import "monaco-editor/editor/contrib/indentation/browser/indentation";
import "monaco-editor/editor/contrib/linesOperations/browser/linesOperations";
import "monaco-editor/editor/contrib/multicursor/browser/multicursor";
import "monaco-editor/editor/contrib/parameterHints/browser/parameterHints";
import "monaco-editor/editor/contrib/snippet/browser/snippetController2";
import "monaco-editor/editor/contrib/suggest/browser/suggestController";
import "monaco-editor/editor/contrib/toggleTabFocusMode/browser/toggleTabFocusMode";
import "monaco-editor/editor/contrib/tokenization/browser/tokenization";
import "monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter";
import "monaco-editor/editor/contrib/wordOperations/browser/wordOperations";
import "monaco-editor/editor/common/standaloneStrings";
import workbookTypes from "../sandbox/workbook-aws.d.ts?raw";
import { contextMembers, contextParameterName } from "./context-members.ts";

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return label === "typescript" || label === "javascript" ? new TsWorker() : new EditorWorker();
  },
};

javascriptDefaults.setCompilerOptions({
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  allowJs: true,
  allowNonTsExtensions: true,
  // Handlers are plain JavaScript: IntelliSense without red squiggles for untyped events.
  checkJs: false,
});
javascriptDefaults.addExtraLib(workbookTypes, "file:///workbook/workbook-aws.d.ts");

// `context.` after the handler's second parameter: TypeScript sees an untyped parameter, so offer LambdaContext's members.
const members = contextMembers(workbookTypes);
monaco.languages.registerCompletionItemProvider("javascript", {
  triggerCharacters: ["."],
  provideCompletionItems(model, position) {
    const before = model.getValueInRange(new monaco.Range(position.lineNumber, 1, position.lineNumber, position.column));
    const name = contextParameterName(model.getValue());
    const match = new RegExp(`(?:^|[^\\w$.])${name.replace(/\$/g, "\\$")}\\.([\\w$]*)$`).exec(before);
    if (!match) return { suggestions: [] };
    const range = new monaco.Range(position.lineNumber, position.column - match[1]!.length, position.lineNumber, position.column);
    return {
      suggestions: members.map((m) => ({
        label: m.name,
        kind: m.kind === "method" ? monaco.languages.CompletionItemKind.Method : monaco.languages.CompletionItemKind.Property,
        detail: `(context) ${m.signature}`,
        documentation: m.documentation,
        insertText: m.kind === "method" ? `${m.name}()` : m.name,
        range,
        sortText: `0${m.name}`,
      })),
    };
  },
});

export { monaco };
