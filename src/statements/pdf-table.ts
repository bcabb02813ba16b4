import PDFDocument from 'pdfkit';
import { CjkText, type Weight } from './cjk-font.ts';

/** A4 portrait, in points. */
const PAGE = { width: 595.28, height: 841.89, margin: 40 };
const ROW = 15;
const FOOTER = 28;

export interface Column {
  readonly title: string;
  /** Share of the usable width. */
  readonly width: number;
  readonly align?: 'left' | 'right';
}

/**
 * A small report writer over pdfkit: headings, key/value lines and tables that break across
 * pages (repeating their header), all in Noto Sans SC (CjkText), with a footer on every page.
 */
export class PdfReport {
  readonly doc: PDFKit.PDFDocument;
  readonly text: CjkText;
  private y = PAGE.margin;
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;

  constructor(
    private readonly footer: string,
    info: { title: string; subject?: string },
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      margin: PAGE.margin,
      bufferPages: true,
      info: { Title: info.title, ...(info.subject ? { Subject: info.subject } : {}), Producer: 'fenyong' },
    });
    this.text = new CjkText(this.doc);
    this.done = new Promise((resolve, reject) => {
      this.doc.on('data', (chunk: Buffer) => this.chunks.push(chunk));
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)));
      this.doc.on('error', reject);
    });
  }

  get usable(): number {
    return PAGE.width - 2 * PAGE.margin;
  }

  /** Starts a new page when fewer than `height` points are left. */
  private room(height: number): boolean {
    if (this.y + height <= PAGE.height - PAGE.margin - FOOTER) return false;
    this.doc.addPage();
    this.y = PAGE.margin;
    return true;
  }

  title(text: string): void {
    this.text.draw(text, PAGE.margin, this.y, { size: 18, weight: 700 });
    this.y += 28;
  }

  heading(text: string): void {
    // The heading, then a table's header and first rows (table() asks for ROW * 3) on one page.
    this.room(26 + ROW * 3);
    this.y += 8;
    this.text.draw(text, PAGE.margin, this.y, { size: 12, weight: 700, color: '#1f3a68' });
    this.y += 20;
  }

  line(text: string, options: { size?: number; weight?: Weight; color?: string } = {}): void {
    this.room(ROW);
    this.text.draw(text, PAGE.margin, this.y, {
      size: options.size ?? 9.5,
      width: this.usable,
      ...(options.weight ? { weight: options.weight } : {}),
      ...(options.color ? { color: options.color } : {}),
    });
    this.y += (options.size ?? 9.5) + 6;
  }

  gap(points = 6): void {
    this.y += points;
  }

  /** A table; `emphasis` rows (subtotals) are bold on a light band. Empty tables say `empty`. */
  table(columns: readonly Column[], rows: readonly { cells: readonly string[]; emphasis?: boolean }[], empty: string): void {
    const share = columns.reduce((sum, column) => sum + column.width, 0);
    const widths = columns.map((column) => (column.width / share) * this.usable);
    const header = () => {
      this.doc.rect(PAGE.margin, this.y - 3, this.usable, ROW).fill('#e8edf5');
      let x = PAGE.margin;
      columns.forEach((column, i) => {
        this.text.draw(column.title, x + 3, this.y, {
          size: 8.5,
          weight: 700,
          width: widths[i]! - 6,
          align: column.align ?? 'left',
          color: '#1f3a68',
        });
        x += widths[i]!;
      });
      this.y += ROW;
    };
    this.room(ROW * 3);
    header();
    if (rows.length === 0) {
      this.text.draw(empty, PAGE.margin + 3, this.y, { size: 8.5, color: '#777777' });
      this.y += ROW;
      return;
    }
    for (const row of rows) {
      if (this.room(ROW)) header();
      if (row.emphasis) this.doc.rect(PAGE.margin, this.y - 3, this.usable, ROW).fill('#f4f6fa');
      let x = PAGE.margin;
      row.cells.forEach((cell, i) => {
        const column = columns[i]!;
        this.text.draw(cell, x + 3, this.y, {
          size: 8.5,
          width: widths[i]! - 6,
          align: column.align ?? 'left',
          ...(row.emphasis ? { weight: 700 } : {}),
        });
        x += widths[i]!;
      });
      this.doc
        .moveTo(PAGE.margin, this.y + ROW - 3)
        .lineTo(PAGE.margin + this.usable, this.y + ROW - 3)
        .lineWidth(0.3)
        .strokeColor('#d0d5dd')
        .stroke();
      this.y += ROW;
    }
  }

  /** Draws the footers and answers the whole PDF. */
  async finish(): Promise<Buffer> {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const y = PAGE.height - PAGE.margin - 10;
      // Drawing below the bottom margin would make pdfkit add a page: lift the margin meanwhile.
      const bottom = this.doc.page.margins.bottom;
      this.doc.page.margins.bottom = 0;
      this.text.draw(this.footer, PAGE.margin, y, { size: 7.5, width: this.usable - 60, color: '#777777' });
      this.text.draw(`${i + 1} / ${range.count}`, PAGE.margin + this.usable - 60, y, {
        size: 7.5,
        width: 60,
        align: 'right',
        color: '#777777',
      });
      this.doc.page.margins.bottom = bottom;
    }
    this.doc.end();
    return this.done;
  }
}
