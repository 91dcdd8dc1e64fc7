// What VS Code's YAML extension shows: Red Hat's yaml-language-server (the
// engine inside the extension), with the schema the file's first-line
// modeline names (`# yaml-language-server: $schema=...`).
//
//   node vscode.mjs validate FILE [SCHEMA]   one line per diagnostic:
//                                            FILE:LINE:COL: message
//   node vscode.mjs complete FILE LINE COL   the keys offered there, one a line
//   node vscode.mjs hover FILE LINE COL      the hover text there
//
// With SCHEMA, a modeline naming it is put before the file's text (the
// lines reported are the file's own).
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getLanguageService } from 'yaml-language-server';
import { TextDocument } from 'vscode-languageserver-textdocument';

const [mode, file, a, b] = process.argv.slice(2);
const uri = pathToFileURL(file).toString();
let text = await readFile(file, 'utf8');
let shift = 0;
if (mode === 'validate' && a) {
  text = `# yaml-language-server: $schema=${pathToFileURL(a)}\n${text}`;
  shift = 1;
}
const service = getLanguageService({
  schemaRequestService: async (u) => readFile(fileURLToPath(u), 'utf8'),
  workspaceContext: { resolveRelativePath: (rel, resource) => new URL(rel, resource).toString() },
  clientCapabilities: {},
});
service.configure({ validate: true, hover: true, completion: true, schemas: [] });
const doc = TextDocument.create(uri, 'yaml', 1, text);
if (mode === 'validate') {
  for (const d of await service.doValidation(doc, false)) {
    console.log(`${file}:${d.range.start.line + 1 - shift}:${d.range.start.character + 1}: ${d.message}`);
  }
} else if (mode === 'complete') {
  const list = await service.doComplete(doc, { line: Number(a) - 1, character: Number(b) - 1 }, false);
  for (const item of list.items) console.log(item.label);
} else if (mode === 'hover') {
  const hover = await service.doHover(doc, { line: Number(a) - 1, character: Number(b) - 1 });
  console.log(hover ? hover.contents.value ?? JSON.stringify(hover.contents) : '(none)');
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
