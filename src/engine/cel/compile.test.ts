import { describe, expect, it } from 'vitest';
import { compileCondition, type CompileResult, type ConditionIssue } from './compile.ts';
import { LIMITS } from './environment.ts';

const issueOf = (result: CompileResult): ConditionIssue => {
  if (result.ok) throw new Error('expected the condition to be refused');
  return result.issue;
};

describe('compiling a `when:` condition', () => {
  it('type-checks the example of the issue and judges it per line', () => {
    const result = compileCondition('line.category == "dairy" && seller.level >= 2', 'order');
    expect(result.ok && result.condition.scope).toBe('line');
  });

  it('is judged once per order when it reads neither line nor beneficiary, per payee when it reads beneficiary', () => {
    const scope = (source: string) => {
      const result = compileCondition(source, 'order');
      return result.ok ? result.condition.scope : result.issue.code;
    };
    expect(scope('seller.role == "agency" && order.amount >= 10000')).toBe('order');
    expect(scope('beneficiary.level >= 2 && line.quantity > 1')).toBe('beneficiary');
    expect(scope('member.level >= 2')).toBe('cel_unknown_variable');
    const period = compileCondition('member.level >= 2 && period.kind == "month"', 'period');
    expect(period.ok && period.condition.scope).toBe('member');
  });

  it('compiles each source once: the same plan compiled again reuses the program', () => {
    const a = compileCondition('line.sku in ["A1", "A2"]', 'order');
    const b = compileCondition('line.sku in ["A1", "A2"]', 'order');
    expect(a).toBe(b);
    expect(a.ok && a.condition.literals).toEqual(['A1', 'A2']);
  });

  it('tells the literals a condition asks for from those it leaves out', () => {
    const read = (source: string) => {
      const compiled = compileCondition(source, 'order');
      return compiled.ok ? [compiled.condition.literals, compiled.condition.excludes] : null;
    };
    expect(read('line.sku == "kit" || line.category != "tea"')).toEqual([['kit'], ['tea']]);
    expect(read('!(line.sku in ["a", "b"])')).toEqual([[], ['a', 'b']]);
    expect(read('!(line.sku != "kit")')).toEqual([['kit'], []]);
  });

  it('points at a syntax error', () => {
    expect(issueOf(compileCondition('seller.level >= 2 &&', 'order'))).toMatchObject({
      code: 'cel_syntax_error',
      line: 1,
      column: 21,
      pointer: 'seller.level >= 2 &&\n                    ^',
    });
  });

  it('points at the sub-expression of a type error, on its own line of a multi-line condition', () => {
    const issue = issueOf(compileCondition('line.category == "dairy" &&\n  seller.level >= "2"', 'order'));
    expect(issue).toMatchObject({ code: 'cel_type_error', line: 2, column: 3, excerpt: 'seller.level >= "2"' });
    expect(issue.message).toContain('int >= string');
  });

  it('lists the variables there are when one is unknown, by kind of template', () => {
    expect(issueOf(compileCondition('buyer.level >= 2', 'order'))).toMatchObject({
      code: 'cel_unknown_variable',
      column: 1,
      excerpt: 'buyer',
      message: 'unknown variable `buyer`; order templates have: line, order, seller, beneficiary',
    });
    expect(issueOf(compileCondition('seller.level >= 2', 'period')).message).toContain('period templates have: member, period');
  });

  it('lists the fields of a variable when one is unknown', () => {
    expect(issueOf(compileCondition('seller.rank >= 2', 'order'))).toMatchObject({
      code: 'cel_unknown_field',
      excerpt: 'rank',
      message: '`seller` has no field `rank`; it has: id, level, role, position',
    });
  });

  it('refuses a condition that is not a bool', () => {
    expect(issueOf(compileCondition('line.amount + 1', 'order'))).toMatchObject({
      code: 'cel_type_error',
      message: expect.stringContaining('is int'),
    });
  });

  it('keeps the cost bounded: too long, too many nodes, loops and regular expressions are refused', () => {
    expect(issueOf(compileCondition(`line.sku == "${'x'.repeat(LIMITS.maxLength)}"`, 'order')).code).toBe('cel_too_long');
    const many = Array.from({ length: 70 }, (_, i) => `${i} == 1`).join(' || ');
    expect(many.length).toBeLessThan(LIMITS.maxLength);
    expect(issueOf(compileCondition(many, 'order'))).toMatchObject({
      code: 'cel_too_complex',
      message: expect.stringContaining('ast nodes'),
    });
    expect(issueOf(compileCondition('["a", "b"].exists(s, line.sku == s)', 'order'))).toMatchObject({
      code: 'cel_forbidden',
      excerpt: '["a", "b"].exists(s, line.sku == s)',
    });
    expect(issueOf(compileCondition('line.sku.matches("^(a+)+$")', 'order')).code).toBe('cel_forbidden');
  });

  it('keeps money in int fen: no double literal and no double()', () => {
    expect(issueOf(compileCondition('line.amount > 99.5', 'order'))).toMatchObject({ code: 'cel_forbidden', excerpt: '99.5' });
    expect(issueOf(compileCondition('double(line.amount) > 0', 'order')).code).toBe('cel_forbidden');
  });

  it('gives the same answer on every host: no time-zone getters', () => {
    expect(issueOf(compileCondition('order.paidAt.getHours("Asia/Shanghai") < 12', 'order')).code).toBe('cel_forbidden');
    expect(compileCondition('order.paidAt.getHours() < 4', 'order').ok).toBe(true);
  });

  it('reaches nothing but its variables: no globals, no host functions', () => {
    expect(issueOf(compileCondition('process.exit(1) == null', 'order')).code).toBe('cel_unknown_variable');
    expect(issueOf(compileCondition('eval("1") == 1', 'order')).code).toBe('cel_type_error');
  });
});
