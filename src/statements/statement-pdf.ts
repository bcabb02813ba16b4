import { formatMoney } from '../money/money.ts';
import { localTime } from './calendar.ts';
import { PdfReport } from './pdf-table.ts';
import type { Section, Statement, StatementLine } from './statement.ts';

const ROLE: Record<string, string> = { branch: '分公司', agency: '机构', leader: '团长', customer: '顾客' };
const STATUS: Record<string, string> = { requested: '待审核', approved: '已批准', paid: '已打款', rejected: '已驳回', failed: '打款失败' };
const ACCOUNT: Record<string, string> = { pending: '冻结中', available: '可提现' };
const SECTION: Record<Section, string> = {
  award: '佣金 Awards',
  reversal: '退款冲销 Refund reversals',
  settlement: '结算 Settlements (冻结 → 可提现)',
  withdrawal: '提现 Withdrawals',
  withdrawal_reversal: '提现退回 Withdrawals given back',
  tax_true_up: '个税调整 Tax true-ups',
  manual: '人工调整 Manual adjustments',
  other: '其他 Other',
};

/** The statement as a printable A4 PDF, in Chinese with English captions. */
export async function statementPdf(statement: Statement, generatedAt: number): Promise<Buffer> {
  const zone = statement.timezone;
  const money = (amount: bigint | null) => (amount === null ? '' : formatMoney(amount, statement.decimals));
  const time = (at: number) => localTime(at, zone);
  const status = (value: string | null) => (value ? `${STATUS[value] ?? value} ${value}` : '');
  const subject = (line: StatementLine) => line.order ?? line.period ?? '';
  const of = (section: Section) => statement.lines.filter((line) => line.section === section);
  const { member } = statement;
  const report = new PdfReport(
    `fenyong · ${statement.tenant.name} · ${member.id} · ${statement.month} · 生成于 generated ${time(generatedAt)} (${zone})`,
    { title: `佣金对账单 ${member.id} ${statement.month}`, subject: `Commission statement of ${member.id} for ${statement.month}` },
  );

  report.title(`佣金对账单 Commission statement · ${statement.month}`);
  report.line(`商户 Tenant：${statement.tenant.name}（${statement.tenant.id}）`);
  report.line(`会员 Member：${member.id} · ${ROLE[member.role] ?? member.role} ${member.role}${member.level !== null ? ` · 等级 level ${member.level}` : ''}`);
  report.line(`期间 Period：${time(statement.from)} 至 ${time(statement.to)}（${zone}，不含期末 end exclusive）`);
  report.line(`币种 Currency：${statement.currency} · 金额单位 amounts in ${statement.currency}`);

  report.heading('汇总 Summary');
  const movement = (section: Section) => statement.movements.get(section)!;
  const summaryRows = [
    { cells: ['期初余额 Opening balance', money(statement.opening.pending), money(statement.opening.available), money(statement.opening.pending + statement.opening.available)], emphasis: true },
    ...(['award', 'reversal', 'settlement', 'withdrawal', 'withdrawal_reversal', 'tax_true_up', 'manual', 'other'] as const)
      .filter((section) => section !== 'other' || of('other').length > 0)
      .map((section) => {
        const b = movement(section);
        return { cells: [SECTION[section], money(b.pending), money(b.available), money(b.pending + b.available)] };
      }),
    { cells: ['期末余额 Closing balance', money(statement.closing.pending), money(statement.closing.available), money(statement.closing.pending + statement.closing.available)], emphasis: true },
  ];
  report.table(
    [{ title: '项目 Item', width: 46 }, { title: '冻结中 Pending', width: 18, align: 'right' }, { title: '可提现 Available', width: 18, align: 'right' }, { title: '合计 Total', width: 18, align: 'right' }],
    summaryRows,
    '',
  );
  report.gap(4);
  report.line(
    statement.check.ok
      ? '核对 Check：期初 + 本期变动 = 期末（与账簿分录一致） opening + movements = closing, as in the ledger: OK'
      : `核对 Check：不一致 MISMATCH — 期初 + 本期变动 = ${money(statement.check.expected.pending)} / ${money(statement.check.expected.available)}，账簿 ledger ${money(statement.closing.pending)} / ${money(statement.closing.available)}`,
    { weight: 700, color: statement.check.ok ? '#1b7f3b' : '#b42318' },
  );

  report.heading(SECTION.award);
  const awards = of('award');
  const rules = [...new Set(awards.map((line) => line.rule ?? ''))].sort();
  const awardRows = rules.flatMap((rule) => {
    const lines = awards.filter((line) => (line.rule ?? '') === rule);
    const sum = lines.reduce((total, line) => total + line.pending + line.available, 0n);
    return [
      ...lines.map((line) => ({ cells: [time(line.at), rule, subject(line), ACCOUNT[line.pending !== 0n ? 'pending' : 'available']!, money(line.pending + line.available)] })),
      { cells: ['', `小计 ${rule}`, `${lines.length} 笔 awards`, '', money(sum)], emphasis: true },
    ];
  });
  report.table(
    [{ title: '时间 Time', width: 20 }, { title: '规则 Rule', width: 22 }, { title: '订单/周期 Order/Period', width: 28 }, { title: '账户 Account', width: 13 }, { title: '金额 Amount', width: 17, align: 'right' }],
    awardRows,
    '本月无佣金 No awards this month',
  );
  report.line('每笔佣金的计算说明见 explain 链接（JSON / CSV） Each award is explained at /v1/awards/explain', { size: 7.5, color: '#777777' });

  report.heading(SECTION.reversal);
  report.table(
    [{ title: '时间 Time', width: 19 }, { title: '规则 Rule', width: 16 }, { title: '订单 Order', width: 20 }, { title: '退款单 Refund', width: 16 }, { title: '账户 Account', width: 14 }, { title: '金额 Amount', width: 15, align: 'right' }],
    of('reversal').map((line) => ({ cells: [time(line.at), line.rule ?? '', subject(line), line.refund ?? '', ACCOUNT[line.pending !== 0n ? 'pending' : 'available']!, money(line.pending + line.available)] })),
    '本月无退款冲销 No refund reversals this month',
  );

  report.heading(SECTION.settlement);
  report.table(
    [{ title: '时间 Time', width: 22 }, { title: '规则 Rule', width: 24 }, { title: '订单/周期 Order/Period', width: 34 }, { title: '金额 Amount', width: 20, align: 'right' }],
    of('settlement').map((line) => ({ cells: [time(line.at), line.rule ?? '', subject(line), money(line.available)] })),
    '本月无结算 No settlements this month',
  );

  report.heading(SECTION.withdrawal);
  report.table(
    [
      { title: '时间 Time', width: 19 }, { title: '提现单 Withdrawal', width: 19 }, { title: '税前 Gross', width: 13, align: 'right' }, { title: '代扣税 Tax', width: 12, align: 'right' },
      { title: '实发 Net', width: 13, align: 'right' }, { title: '状态 Status (月末 / 现在)', width: 24 },
    ],
    of('withdrawal').map((line) => ({
      cells: [
        time(line.at), line.withdrawal ?? '', money(line.gross), money(line.tax), money(line.net),
        line.statusNow && line.statusNow !== line.status ? `${status(line.status)} → ${STATUS[line.statusNow] ?? line.statusNow}` : status(line.status),
      ],
    })),
    '本月无提现 No withdrawals this month',
  );

  report.heading(SECTION.withdrawal_reversal);
  report.table(
    [
      { title: '时间 Time', width: 16 }, { title: '提现单 Withdrawal', width: 14 }, { title: '税前 Gross', width: 11, align: 'right' }, { title: '代扣税 Tax', width: 10, align: 'right' },
      { title: '实发 Net', width: 11, align: 'right' }, { title: '状态 Status', width: 13 }, { title: '说明 Note', width: 25 },
    ],
    of('withdrawal_reversal').map((line) => ({ cells: [time(line.at), line.withdrawal ?? '', money(line.gross), money(line.tax), money(line.net), status(line.status), line.note ?? ''] })),
    '本月无提现退回 No withdrawals given back this month',
  );

  report.heading(SECTION.tax_true_up);
  report.table(
    [{ title: '时间 Time', width: 24 }, { title: '提现单 Withdrawal', width: 28 }, { title: '税款所属月 Tax month', width: 24 }, { title: '金额 Amount', width: 24, align: 'right' }],
    of('tax_true_up').map((line) => ({ cells: [time(line.at), line.withdrawal ?? '', line.taxMonth ?? '', money(line.pending + line.available)] })),
    '本月无个税调整 No tax true-ups this month',
  );

  report.heading(SECTION.manual);
  report.table(
    [{ title: '时间 Time', width: 20 }, { title: '调整单 Adjustment', width: 18 }, { title: '金额 Amount', width: 14, align: 'right' }, { title: '原因 Reason', width: 48 }],
    of('manual').map((line) => ({ cells: [time(line.at), line.adjustment ?? '', money(line.pending + line.available), line.note ?? ''] })),
    '本月无人工调整 No manual adjustments this month',
  );

  if (of('other').length > 0) {
    report.heading(SECTION.other);
    report.table(
      [{ title: '时间 Time', width: 30 }, { title: '类型 Kind', width: 30 }, { title: '冻结中 Pending', width: 20, align: 'right' }, { title: '可提现 Available', width: 20, align: 'right' }],
      of('other').map((line) => ({ cells: [time(line.at), line.kind, money(line.pending), money(line.available)] })),
      '',
    );
  }
  return report.finish();
}
