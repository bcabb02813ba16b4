import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { pageSql } from '../../src/api/paging.ts';
import { lockLiteral, tenantLiteral } from '../../src/store/sql.ts';
import { recordFigures } from './support/figures.ts';
import { findingsTable, SECURITY_FINDINGS } from './support/findings.ts';

/**
 * Parameterised SQL only: every SQL text handed to the database in src/ is a constant, or built
 * only from constants and values that went through a quoting function that refuses anything but a
 * plain identifier or number. Values always travel as parameters ($1, $2…). The scan reads the
 * TypeScript syntax tree (not text), so that a new query built with ${…} from a request fails here.
 */

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Functions that let only a plain identifier or an integer through (they throw on anything else). */
const QUOTERS: Readonly<Record<string, string>> = {
  identifier: 'a table or column name of fenyong itself: /^[a-z_][a-z0-9_]*$/ or it throws (src/store/pglite.ts, postgres.ts)',
  lockLiteral: 'an advisory lock key: /^-?\\d{1,19}$/ or it throws (src/store/sql.ts)',
  tenantLiteral: 'a tenant id as a literal: /^[a-z0-9][a-z0-9-]{0,62}$/ or null, quoted (src/store/sql.ts)',
  pageSql:
    'the cursor condition and order of a paged list: a column name /^[a-z_]+(\\.[a-z_]+)?$/ and parameter numbers, or it throws (src/api/paging.ts)',
};

/** Where SQL text arrives as a variable on purpose: the database adapters and the migrator. */
const PASS_THROUGH: Readonly<Record<string, readonly string[]>> = {
  'store/pglite.ts': ['text', 'firstRead'], // the Sql interface's own implementation: runs what callers give it
  'store/postgres.ts': ['text', 'firstRead'],
  'store/migrate.ts': ['statement'], // the migrations shipped in src/store/migrations
};

/** Calls that send SQL text (their first argument). */
const SQL_CALLS = new Set(['query', 'raw', 'unsafe', 'copyFrom']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

interface Site {
  readonly where: string;
  readonly kind: 'constant' | 'built from constants' | 'pass-through' | 'offender';
  readonly text: string;
}

/** Judges the SQL text of one call: constant, built from constants and quoted identifiers, or not. */
class Judge {
  constructor(
    private readonly file: ts.SourceFile,
    private readonly name: string,
  ) {}

  /** Whether `node`, used as SQL text, is made of constants and quoted parts only. */
  sqlText(node: ts.Expression, seen = new Set<ts.Node>()): boolean {
    if (seen.has(node)) return false;
    seen.add(node);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return this.sqlText(node.expression, seen);
    if (ts.isTemplateExpression(node)) return node.templateSpans.every((span) => this.part(span.expression, seen));
    if (ts.isConditionalExpression(node)) return this.sqlText(node.whenTrue, seen) && this.sqlText(node.whenFalse, seen);
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
      return this.sqlText(node.left, seen) && this.sqlText(node.right, seen);
    if (ts.isIdentifier(node)) {
      const initial = this.constant(node.text);
      return initial ? this.sqlText(initial, seen) : false;
    }
    if (ts.isObjectLiteralExpression(node)) {
      // pg's { name, text, values }: the text is what counts.
      const text = node.properties.find((p) => p.name?.getText() === 'text');
      return (
        text !== undefined &&
        (ts.isShorthandPropertyAssignment(text)
          ? this.sqlText(text.name, seen)
          : ts.isPropertyAssignment(text) && this.sqlText(text.initializer, seen))
      );
    }
    if (ts.isCallExpression(node) && node.expression.getText(this.file) in QUOTERS) return true;
    if (ts.isCallExpression(node) && node.arguments.length > 0) return this.sqlText(node.arguments[0]!, seen);
    return false;
  }

  /** Whether an interpolated part is a constant, a choice between constants, or quoted by a QUOTER. */
  private part(node: ts.Expression, seen: Set<ts.Node>): boolean {
    if (ts.isStringLiteral(node) || ts.isNumericLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
    if (ts.isParenthesizedExpression(node)) return this.part(node.expression, seen);
    if (ts.isConditionalExpression(node)) return this.part(node.whenTrue, seen) && this.part(node.whenFalse, seen);
    if (ts.isIdentifier(node)) {
      // An adapter's pass-through (the text its caller gives it, checked where it is made).
      if ((PASS_THROUGH[this.name] ?? []).includes(node.text)) return true;
      const initial = this.constant(node.text);
      return initial !== null && this.sqlText(initial, seen);
    }
    // A part of what a QUOTER made (`seek.where` of `const seek = pageSql(…)`).
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const initial = this.constant(node.expression.text);
      return initial !== null && ts.isCallExpression(initial) && initial.expression.getText(this.file) in QUOTERS;
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(this.file);
      if (callee in QUOTERS) return true;
      // columns.map(identifier).join(', '): every element quoted.
      if (/^[\w.]+\.map\((\w+)\)\.join$/.test(callee) || /\.map\((\w+)\)\.join\(/.test(node.getText(this.file))) {
        const quoter = /\.map\((\w+)\)/.exec(node.getText(this.file))?.[1];
        return quoter !== undefined && quoter in QUOTERS;
      }
    }
    return false;
  }

  /** The initializer of a module- or function-level `const` of that name in this file, if any. */
  private constant(name: string): ts.Expression | null {
    let found: ts.Expression | null = null;
    const visit = (node: ts.Node) => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.name.text === name &&
        node.initializer &&
        ts.isVariableDeclarationList(node.parent) &&
        node.parent.flags & ts.NodeFlags.Const
      ) {
        found = node.initializer;
      }
      if (!found) ts.forEachChild(node, visit);
    };
    visit(this.file);
    return found;
  }

  get fileName(): string {
    return this.name;
  }
}

function scan(): Site[] {
  const sites: Site[] = [];
  for (const path of sourceFiles(SRC)) {
    const name = relative(SRC, path);
    const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const judge = new Judge(file, name);
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && node.arguments.length > 0) {
        const callee = node.expression;
        const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
        if (SQL_CALLS.has(method)) {
          const argument = node.arguments[0]!;
          const where = `src/${name}:${file.getLineAndCharacterOfPosition(argument.getStart()).line + 1}`;
          const text = argument.getText(file).replace(/\s+/g, ' ').slice(0, 120);
          const constant = ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument);
          const passThrough = ts.isIdentifier(argument) && (PASS_THROUGH[name] ?? []).includes(argument.text);
          const kind = constant
            ? 'constant'
            : judge.sqlText(argument)
              ? 'built from constants'
              : passThrough || isPassThroughObject(argument, name)
                ? 'pass-through'
                : 'offender';
          sites.push({ where, kind, text });
        }
      }
      // A transaction's first read (TransactionOptions.firstRead) is SQL text too.
      if (ts.isPropertyAssignment(node) && node.name.getText(file) === 'firstRead') {
        const where = `src/${name}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const text = node.initializer.getText(file).replace(/\s+/g, ' ').slice(0, 120);
        sites.push({ where, kind: judge.sqlText(node.initializer) ? 'built from constants' : 'offender', text });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return sites;
}

/** pg's { text, values } built around a pass-through `text` in an adapter. */
function isPassThroughObject(node: ts.Expression, name: string): boolean {
  if (!ts.isObjectLiteralExpression(node)) return false;
  const text = node.properties.find((p) => p.name?.getText() === 'text');
  return text !== undefined && ts.isShorthandPropertyAssignment(text) && (PASS_THROUGH[name] ?? []).includes(text.name.text);
}

describe('parameterised SQL only', () => {
  const sites = scan();

  it('finds the SQL of src/ (so that the scan scans something)', () => {
    expect(sites.length).toBeGreaterThan(100);
  });

  it('builds no SQL text from a value: every query is a constant, or constants and quoted identifiers', () => {
    expect(sites.filter((site) => site.kind === 'offender').map((site) => `${site.where} ${site.text}`)).toEqual([]);
  });

  it('quotes only what cannot carry SQL', () => {
    expect(() => lockLiteral('1; drop table events; --')).toThrow();
    expect(() => lockLiteral('1 or 1=1')).toThrow();
    expect(lockLiteral('-9223372036854775808')).toBe('-9223372036854775808');
    for (const id of ["x' or '1'='1", 'a;b', 'A', "it's", 'a b', '-a', 'a\\b', '']) expect(tenantLiteral(id), id).toBeNull();
    expect(tenantLiteral('shop-2')).toBe("'shop-2'");
    const page = { newestFirst: true, after: null, limit: 10 };
    expect(() => pageSql('id; drop table events', page, { after: 1, fetch: 2 })).toThrow();
    expect(() => pageSql('w.id', page, { after: 1.5, fetch: 2 })).toThrow();
    for (const file of ['store/pglite.ts', 'store/postgres.ts']) {
      const text = readFileSync(join(SRC, file), 'utf8');
      expect(text, `${file}: identifier() checks its input`).toMatch(
        /function identifier\(name: string\): string \{\n\s+if \(!\/\^\[a-z_\]\[a-z0-9_\]\*\$\/\.test\(name\)\) throw/,
      );
    }
    const counts = { constant: 0, 'built from constants': 0, 'pass-through': 0, offender: 0 };
    for (const site of sites) counts[site.kind] += 1;
    recordFigures(
      'security',
      '9-findings',
      `### Found and fixed (${SECURITY_FINDINGS.length})\n\n${findingsTable(SECURITY_FINDINGS)}`,
    );
    recordFigures(
      'security',
      '5-sql',
      `### Parameterised SQL only\n\nThe syntax tree of every file of src/ scanned for SQL sent to the database (\`query\`, \`raw\`, \`unsafe\`, \`copyFrom\`): ${sites.length} call sites, ${counts.constant} constant texts, ${counts['built from constants']} built from constants and quoted identifiers only (${Object.keys(
        QUOTERS,
      )
        .map((q) => `\`${q}\``)
        .join(
          ', ',
        )}, which throw on anything else), ${counts['pass-through']} pass-throughs of the adapters and the migrator, ${counts.offender} built from a value. Values always travel as parameters.`,
    );
  });
});
