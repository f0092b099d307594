import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import ts from "typescript";

/** The only modules the published declarations may import: the peer dependencies. */
const ALLOWED_IMPORTS = /^(\.\/|@trpc\/client$|@trpc\/server$|@trpc\/server\/unstable-core-do-not-import$)/;
/** Where the printed router's tRPC types (Router, QueryProcedure, …) are imported from. */
const TRPC_TYPES = "@trpc/server/unstable-core-do-not-import";
/** The module whose type aliases are written out as plain structure. */
const EXPANDED = "public-types.ts";

const PRINT_FLAGS =
  ts.NodeBuilderFlags.NoTruncation |
  ts.NodeBuilderFlags.InTypeAlias |
  ts.NodeBuilderFlags.MultilineObjectLiterals;

function fail(message: string): never {
  throw new Error(`declarations: ${message}`);
}

/** The names `node` refers to as types (Router, QueryProcedure, AsyncIterable, …). */
function referencedNames(node: ts.Node, names = new Set<string>()): Set<string> {
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) names.add(node.typeName.text);
  ts.forEachChild(node, (child) => void referencedNames(child, names));
  return names;
}

/**
 * public-types.ts's aliases as the checker resolves them: every field spelled out, the
 * server's context and modules gone; the tRPC types they use imported from tRPC.
 */
function expandedPublicTypes(program: ts.Program, file: ts.SourceFile): string {
  const checker = program.getTypeChecker();
  const printer = ts.createPrinter();
  const trpcFile =
    program.getSourceFiles().find((f) => {
      const resolved = ts.resolveModuleName(TRPC_TYPES, file.fileName, program.getCompilerOptions(), ts.sys);
      return resolved.resolvedModule?.resolvedFileName === f.fileName;
    }) ?? fail(`${TRPC_TYPES} is not part of the program`);
  const trpcModule = checker.getSymbolAtLocation(trpcFile) ?? fail(`${TRPC_TYPES} has no exports`);
  const trpcExports = new Set(checker.getExportsOfModule(trpcModule).map((s) => s.name));
  const imports = new Set<string>();
  const aliases: string[] = [];
  for (const statement of file.statements) {
    if (!ts.isTypeAliasDeclaration(statement)) continue;
    const type = checker.getTypeAtLocation(statement.name);
    const node =
      checker.typeToTypeNode(type, undefined, PRINT_FLAGS) ?? fail(`cannot print ${statement.name.text}`);
    for (const name of referencedNames(node)) if (trpcExports.has(name)) imports.add(name);
    const docs = ts
      .getJSDocCommentsAndTags(statement)
      .map((d) => d.getText(file))
      .join("\n");
    aliases.push(
      `${docs ? `${docs}\n` : ""}export type ${statement.name.text} = ${printer.printNode(ts.EmitHint.Unspecified, node, file)};`,
    );
  }
  const header =
    imports.size > 0 ? `import type { ${[...imports].sort().join(", ")} } from "${TRPC_TYPES}";\n` : "";
  return `${header}${aliases.join("\n")}\n`;
}

/** Import and export specifiers of a declaration file. */
function specifiersOf(text: string): string[] {
  const file = ts.createSourceFile("x.d.ts", text, ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      found.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      found.push((node.argument.literal as ts.StringLiteral).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * Writes the package's declarations into `outDir`: tsc's for the client, the router types
 * written out plain, relative imports pointing at `.js`. Throws if any declaration would
 * import something other than the peer dependencies (the server's modules, zod, drizzle…).
 */
export function writeDeclarations(packageDir: string, entry: string, outDir: string): string[] {
  const config =
    ts.getParsedCommandLineOfConfigFile(join(packageDir, "tsconfig.json"), undefined, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    }) ?? fail("no tsconfig.json");
  const program = ts.createProgram([entry], {
    ...config.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: join(packageDir, "src"),
    outDir,
  });
  const errors = ts.getPreEmitDiagnostics(program);
  if (errors.length > 0) {
    fail(ts.formatDiagnostics(errors, { ...ts.sys, getCanonicalFileName: (f) => f, getNewLine: () => "\n" }));
  }
  const written: string[] = [];
  const srcDir = join(packageDir, "src");
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(`${srcDir}/`) || file.fileName.endsWith(".test.ts")) continue;
    if (basename(file.fileName) === "public-router.ts") continue; // only public-types.ts uses it, and is printed without it
    let text =
      basename(file.fileName) === EXPANDED
        ? expandedPublicTypes(program, file)
        : (() => {
            let out = "";
            program.emit(file, (_name, data) => (out = data), undefined, true);
            return out;
          })();
    text = text.replace(/(from\s+["']\.\/[^"']+)\.ts(["'])/g, "$1.js$2");
    const bad = specifiersOf(text).filter((s) => !ALLOWED_IMPORTS.test(s));
    if (bad.length > 0) fail(`${basename(file.fileName)} would import ${bad.join(", ")}`);
    const target = join(outDir, basename(file.fileName).replace(/\.ts$/, ".d.ts"));
    writeFileSync(target, text);
    written.push(target);
  }
  return written;
}
