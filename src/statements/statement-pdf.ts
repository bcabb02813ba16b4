import { formatMoney } from '../money/money.ts';
import { localTime } from './calendar.ts';
import { PdfReport, type Column } from './pdf-table.ts';
import { SECTIONS, type Section, type Statement, type StatementLine } from './statement.ts';

const ROLE: Record<string, string> = { branch: '分公司', agency: '机构', leader: '团长', customer: '顾客' };
const STATUS: Record<string, string> = {
  requested: '待审核',
  approved: '已批准',
  paid: '已打款',
  rejected: '已驳回',
  failed: '打款失败',
};
const ACCOUNT: Record<string, string> = { pending: '冻结中', available: '可提现' };
const TITLE: Record<Section, string> = {
  award: '佣金 Awards',
  reversal: '退款冲销 Refund reversals',
  settlement: '结算 Settlements (冻结 → 可提现)',
  withdrawal: '提现 Withdrawals',
  withdrawal_reversal: '提现退回 Withdrawals given back',
  tax_true_up: '个税调整 Tax true-ups',
  manual: '人工调整 Manual adjustments',
  other: '其他 Other',
};

/** How the statement's figures read: money, local times, statuses and accounts in Chinese and English. */
class Format {
  constructor(private readonly statement: Statement) {}
  money = (amount: bigint | null): string => (amount === null ? '' : formatMoney(amount, this.statement.decimals));
  time = (at: number): string => localTime(at, this.statement.timezone);
  status = (value: string | null): string => (value ? `${STATUS[value] ?? value} ${value}` : '');
  subject = (line: StatementLine): string => line.order ?? line.period ?? '';
  account = (line: StatementLine): string => ACCOUNT[line.pending !== 0n ? 'pending' : 'available']!;
  amount = (line: StatementLine): string => this.money(line.pending + line.available);
}

const left = (title: string, width: number): Column => ({ title, width });
const right = (title: string, width: number): Column => ({ title, width, align: 'right' });

/** One table per section after the awards: its columns, a row per line, and what it says when empty. */
const TABLES: readonly {
  section: Section;
  columns: Column[];
  cells: (line: StatementLine, f: Format) => string[];
  empty: string;
}[] = [
  {
    section: 'reversal',
    columns: [
      left('时间 Time', 19),
      left('规则 Rule', 16),
      left('订单 Order', 20),
      left('退款单 Refund', 16),
      left('账户 Account', 14),
      right('金额 Amount', 15),
    ],
    cells: (line, f) => [f.time(line.at), line.rule ?? '', f.subject(line), line.refund ?? '', f.account(line), f.amount(line)],
    empty: '本月无退款冲销 No refund reversals this month',
  },
  {
    section: 'settlement',
    columns: [left('时间 Time', 22), left('规则 Rule', 24), left('订单/周期 Order/Period', 34), right('金额 Amount', 20)],
    cells: (line, f) => [f.time(line.at), line.rule ?? '', f.subject(line), f.money(line.available)],
    empty: '本月无结算 No settlements this month',
  },
  {
    section: 'withdrawal',
    columns: [
      left('时间 Time', 19),
      left('提现单 Withdrawal', 19),
      right('税前 Gross', 13),
      right('代扣税 Tax', 12),
      right('实发 Net', 13),
      left('状态 Status (月末 / 现在)', 24),
    ],
    cells: (line, f) => [
      f.time(line.at),
      line.withdrawal ?? '',
      f.money(line.gross),
      f.money(line.tax),
      f.money(line.net),
      line.statusNow && line.statusNow !== line.status
        ? `${f.status(line.status)} → ${STATUS[line.statusNow] ?? line.statusNow}`
        : f.status(line.status),
    ],
    empty: '本月无提现 No withdrawals this month',
  },
  {
    section: 'withdrawal_reversal',
    columns: [
      left('时间 Time', 16),
      left('提现单 ID', 13),
      right('税前 Gross', 11),
      right('代扣税 Tax', 10),
      right('实发 Net', 11),
      left('状态 Status', 15),
      left('说明 Note', 24),
    ],
    cells: (line, f) => [
      f.time(line.at),
      line.withdrawal ?? '',
      f.money(line.gross),
      f.money(line.tax),
      f.money(line.net),
      f.status(line.status),
      line.note ?? '',
    ],
    empty: '本月无提现退回 No withdrawals given back this month',
  },
  {
    section: 'tax_true_up',
    columns: [left('时间 Time', 24), left('提现单 Withdrawal', 28), left('税款所属月 Tax month', 24), right('金额 Amount', 24)],
    cells: (line, f) => [f.time(line.at), line.withdrawal ?? '', line.taxMonth ?? '', f.amount(line)],
    empty: '本月无个税调整 No tax true-ups this month',
  },
  {
    section: 'manual',
    columns: [left('时间 Time', 20), left('调整单 Adjustment', 18), right('金额 Amount', 14), left('原因 Reason', 48)],
    cells: (line, f) => [f.time(line.at), line.adjustment ?? '', f.amount(line), line.note ?? ''],
    empty: '本月无人工调整 No manual adjustments this month',
  },
  {
    section: 'other',
    columns: [left('时间 Time', 30), left('类型 Kind', 30), right('冻结中 Pending', 20), right('可提现 Available', 20)],
    cells: (line, f) => [f.time(line.at), line.kind, f.money(line.pending), f.money(line.available)],
    empty: '',
  },
];

/** The statement as a printable A4 PDF, in Chinese with English captions. */
export async function statementPdf(statement: Statement, generatedAt: number): Promise<Buffer> {
  const f = new Format(statement);
  const { member } = statement;
  const report = new PdfReport(
    `fenyong · ${statement.tenant.name} · ${member.id} · ${statement.month} · 生成于 generated ${f.time(generatedAt)} (${statement.timezone})`,
    {
      title: `佣金对账单 ${member.id} ${statement.month}`,
      subject: `Commission statement of ${member.id} for ${statement.month}`,
    },
  );
  report.title(`佣金对账单 Commission statement · ${statement.month}`);
  report.line(`商户 Tenant：${statement.tenant.name}（${statement.tenant.id}）`);
  report.line(
    `会员 Member：${member.id} · ${ROLE[member.role] ?? member.role} ${member.role}${member.level !== null ? ` · 等级 level ${member.level}` : ''}`,
  );
  report.line(
    `期间 Period：${f.time(statement.from)} 至 ${f.time(statement.to)}（${statement.timezone}，不含期末 end exclusive）`,
  );
  report.line(`币种 Currency：${statement.currency} · 金额单位 amounts in ${statement.currency}`);
  summary(report, statement, f);
  awards(report, statement, f);
  for (const table of TABLES) {
    const lines = statement.lines.filter((line) => line.section === table.section);
    if (table.section === 'other' && lines.length === 0) continue;
    report.heading(TITLE[table.section]);
    report.table(
      table.columns,
      lines.map((line) => ({ cells: table.cells(line, f) })),
      table.empty,
    );
  }
  return report.finish();
}

/** Opening, the movement of each section, closing, and the check. */
function summary(report: PdfReport, statement: Statement, f: Format): void {
  report.heading('汇总 Summary');
  const row = (label: string, pending: bigint, available: bigint, emphasis = false) => ({
    cells: [label, f.money(pending), f.money(available), f.money(pending + available)],
    emphasis,
  });
  const { opening, closing, check } = statement;
  report.table(
    [left('项目 Item', 46), right('冻结中 Pending', 18), right('可提现 Available', 18), right('合计 Total', 18)],
    [
      row('期初余额 Opening balance', opening.pending, opening.available, true),
      ...SECTIONS.filter((section) => section !== 'other' || statement.lines.some((line) => line.section === 'other')).map(
        (section) => {
          const movement = statement.movements.get(section)!;
          return row(TITLE[section], movement.pending, movement.available);
        },
      ),
      row('期末余额 Closing balance', closing.pending, closing.available, true),
    ],
    '',
  );
  report.gap(4);
  report.line(
    check.ok
      ? '核对 Check：期初 + 本期变动 = 期末（与账簿分录一致） opening + movements = closing, as in the ledger: OK'
      : `核对 Check：不一致 MISMATCH — 期初 + 本期变动 = ${f.money(check.expected.pending)} / ${f.money(check.expected.available)}，` +
          `账簿 ledger ${f.money(closing.pending)} / ${f.money(closing.available)}`,
    { weight: 700, color: check.ok ? '#1b7f3b' : '#b42318' },
  );
}

/** Awards by rule, each rule with its subtotal. */
function awards(report: PdfReport, statement: Statement, f: Format): void {
  report.heading(TITLE.award);
  const lines = statement.lines.filter((line) => line.section === 'award');
  const rules = [...new Set(lines.map((line) => line.rule ?? ''))].sort();
  const rows = rules.flatMap((rule) => {
    const ofRule = lines.filter((line) => (line.rule ?? '') === rule);
    const sum = ofRule.reduce((total, line) => total + line.pending + line.available, 0n);
    return [
      ...ofRule.map((line) => ({ cells: [f.time(line.at), rule, f.subject(line), f.account(line), f.amount(line)] })),
      { cells: ['', `小计 ${rule}`, `${ofRule.length} 笔 awards`, '', f.money(sum)], emphasis: true },
    ];
  });
  report.table(
    [
      left('时间 Time', 20),
      left('规则 Rule', 22),
      left('订单/周期 Order/Period', 28),
      left('账户 Account', 13),
      right('金额 Amount', 17),
    ],
    rows,
    '本月无佣金 No awards this month',
  );
  report.line('每笔佣金的计算说明见 explain 链接（JSON / CSV） Each award is explained at /v1/awards/explain', {
    size: 7.5,
    color: '#777777',
  });
}
