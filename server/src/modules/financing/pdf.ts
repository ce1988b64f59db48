import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import {
  CREDIT_DIMENSION_LABELS,
  CREDIT_DIMENSIONS,
  CREDIT_CATEGORY_LABELS,
  DISPUTE_STATUS_LABELS,
  ENTERPRISE_STATUS_LABELS,
  SCALE_LABELS,
  WARNING_SEVERITY_LABELS,
  WARNING_STATUS_LABELS,
  formatFen,
  shanghaiWallClock,
  type TCreditReport,
} from '@xyd/shared';

/**
 * The credit report as an A4 PDF in Chinese: the enterprise's registration facts, its score and the reasons behind
 * it, its records by category, warnings, disputes and agency opinions, with the viewer's watermark on every page.
 */

const FONT = 'NotoSansSC';
const FONT_FILE = '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';
// 10 MB of outlines: read once per process. pdfkit embeds only the glyphs a report uses (a subset of some 100 KB).
let fontBytes: Buffer | undefined;
const fontData = (): Buffer => (fontBytes ??= readFileSync(require.resolve(FONT_FILE)));

const MARGIN = { top: 44, bottom: 56, left: 50, right: 50 };
const INK = '#1f1f1f';
const MUTED = '#6b6b6b';
const RULE = '#bfbfbf';
const WATERMARK = '#d6d6d6';

type Style = { size: number; color: string };
type Column<Row> = { title: string; width: number; align?: 'left' | 'right' | 'center'; cell: (row: Row) => string };

/** 2026-12-01T02:30:00.000Z → 2026-12-01 10:30 (Asia/Shanghai). */
function shanghaiTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : shanghaiWallClock(at).slice(0, 16).replace('T', ' ');
}

const labelOf = (labels: Record<string, string>, code: string): string => labels[code] ?? code;

function capitalText(fen: string): string {
  return /^\d+$/.test(fen) ? formatFen(Number(fen)) : fen;
}

export async function renderCreditReportPdf(report: TCreditReport): Promise<Buffer> {
  const { enterprise, profile, watermark } = report;
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    autoFirstPage: false,
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: `企业信用报告 - ${enterprise.name}`,
      Author: '信易贷平台',
      Subject: `融资申请 ${report.applicationId} 授权查询的企业信用报告`,
      Keywords: `${enterprise.uscc} 信用报告`,
      CreationDate: new Date(Date.parse(report.generatedAt) || Date.now()),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  // A TTF holds one face: naming it (the third argument, for collections) makes fontkit look for a variation and fail.
  doc.registerFont(FONT, fontData());

  // The body's current style, so that a page added in the middle of a paragraph continues it unchanged.
  let style: Style = { size: 10, color: INK };
  const use = (next: Style): void => {
    style = next;
    doc.font(FONT).fontSize(next.size).fillColor(next.color);
  };

  const contentWidth = (): number => doc.page.width - MARGIN.left - MARGIN.right;

  function drawWatermark(): void {
    const { x, y } = doc;
    const { width, height } = doc.page;
    doc.save();
    doc.font(FONT).fontSize(14).fillColor(WATERMARK);
    const step = doc.widthOfString(watermark.text) + 70;
    doc.rotate(-30, { origin: [width / 2, height / 2] });
    // The rotated grid covers the page's diagonal in every direction.
    const reach = Math.hypot(width, height);
    for (let row = 0, top = (height - reach) / 2; top < (height + reach) / 2; row++, top += 96) {
      const shift = row % 2 === 0 ? 0 : step / 2;
      for (let left = (width - reach) / 2 - shift; left < (width + reach) / 2; left += step) {
        // The trailing space ends the word for text extractors, so that the body's first word is not read into it.
        doc.text(`${watermark.text} `, left, top, { lineBreak: false });
      }
    }
    doc.restore();
    use(style);
    doc.x = x;
    doc.y = y;
  }
  doc.on('pageAdded', drawWatermark);

  const roomLeft = (): number => doc.page.maxY() - doc.y;
  /** A new page unless `height` still fits on this one. */
  const keep = (height: number): void => {
    if (roomLeft() < height) doc.addPage();
  };

  /** Text across the page; `inset` moves every line of it right (pdfkit's `indent` moves only the first). */
  const paragraph = (text: string, next: Style = { size: 10, color: INK }, { inset = 0, align }: { inset?: number; align?: 'center' } = {}): void => {
    use(next);
    doc.text(text, MARGIN.left + inset, doc.y, { width: contentWidth() - inset, lineGap: 1.5, align });
  };

  let section = 0;
  const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
  function heading(title: string): void {
    doc.moveDown(0.4);
    keep(60);
    use({ size: 12.5, color: INK });
    doc.text(`${NUMERALS[section++] ?? section}、${title}`, MARGIN.left, doc.y, { width: contentWidth() });
    const y = doc.y + 2;
    doc.save().moveTo(MARGIN.left, y).lineTo(MARGIN.left + contentWidth(), y).lineWidth(0.6).strokeColor(RULE).stroke().restore();
    doc.y = y + 5;
  }

  /** Rows of cells that wrap within their columns; a row that does not fit starts a new page under the header again. */
  function table<Row>(columns: Column<Row>[], rows: Row[], header = true): void {
    const pad = 2;
    const cellStyle: Style = { size: 9.5, color: INK };
    const rowHeight = (texts: string[]): number => {
      use(cellStyle);
      return Math.max(...texts.map((t, i) => doc.heightOfString(t || ' ', { width: columns[i].width - 2 * pad, lineGap: 1 }))) + 2 * pad;
    };
    const drawRow = (texts: string[], color: string): void => {
      const top = doc.y;
      const height = rowHeight(texts);
      let left = MARGIN.left;
      use({ ...cellStyle, color });
      texts.forEach((t, i) => {
        const col = columns[i];
        doc.text(t, left + pad, top + pad, { width: col.width - 2 * pad, align: col.align ?? 'left', lineGap: 1 });
        left += col.width;
      });
      const bottom = top + height;
      doc.save().moveTo(MARGIN.left, bottom).lineTo(left, bottom).lineWidth(0.4).strokeColor(RULE).stroke().restore();
      doc.x = MARGIN.left;
      doc.y = bottom;
    };
    const titles = columns.map((c) => c.title);
    const headerHeight = header ? rowHeight(titles) : 0;
    if (header) {
      keep(headerHeight + rowHeight(rows.length ? columns.map((c) => c.cell(rows[0])) : titles));
      drawRow(titles, MUTED);
    }
    for (const row of rows) {
      const texts = columns.map((c) => c.cell(row));
      if (roomLeft() < rowHeight(texts)) {
        doc.addPage();
        if (header) drawRow(titles, MUTED);
      }
      drawRow(texts, INK);
    }
  }

  const empty = (text: string): void => paragraph(text, { size: 10, color: MUTED });

  /** An entry of a list: its title, with a grey note on the same line when it fits, then its lines indented. */
  function item(title: string, lines: string[], aside?: string): void {
    const titleStyle: Style = { size: 10.5, color: INK };
    const asideStyle: Style = { size: 9, color: MUTED };
    keep(40);
    use(asideStyle);
    const asideWidth = aside === undefined ? 0 : doc.widthOfString(`　　${aside}`);
    use(titleStyle);
    const inline = aside !== undefined && doc.widthOfString(title) + asideWidth <= contentWidth();
    doc.text(title, MARGIN.left, doc.y, { width: contentWidth(), lineGap: 1.5, continued: inline });
    if (aside !== undefined && inline) {
      use(asideStyle);
      doc.text(`　　${aside}`, { lineGap: 1.5 });
    } else if (aside !== undefined) {
      paragraph(aside, asideStyle, { inset: 14 });
    }
    for (const line of lines.filter(Boolean)) paragraph(line, { size: 10, color: INK }, { inset: 14 });
    doc.moveDown(0.2);
  }

  // ---- page 1 ----------------------------------------------------------------------------------------------------
  doc.addPage();
  use({ size: 18, color: INK });
  doc.text('企业信用报告', MARGIN.left, doc.y, { width: contentWidth(), align: 'center' });
  doc.moveDown(0.3);
  paragraph(`报告编号 ${report.id}　融资申请编号 ${report.applicationId}　生成时间 ${shanghaiTime(report.generatedAt)}（北京时间）`, {
    size: 9,
    color: MUTED,
  }, { align: 'center' });

  heading('企业登记信息');
  const facts: [string, string][] = [
    ['企业名称', enterprise.name],
    ['统一社会信用代码', enterprise.uscc],
    ['法定代表人', enterprise.legalRepName],
    ['注册资本', capitalText(enterprise.registeredCapitalFen)],
    ['成立日期', enterprise.establishedOn],
    ['所属行业', enterprise.industryName],
    ['行政区划代码', enterprise.regionCode],
    ['企业规模', labelOf(SCALE_LABELS, enterprise.scale)],
    ['登记状态', labelOf(ENTERPRISE_STATUS_LABELS, enterprise.status)],
  ];
  const pairs: [string, string][][] = [];
  for (let i = 0; i < facts.length; i += 2) pairs.push(facts.slice(i, i + 2));
  const half = contentWidth() / 2;
  table<[string, string][]>(
    [
      { title: '', width: 90, cell: (p) => p[0][0] },
      { title: '', width: half - 90, cell: (p) => p[0][1] },
      { title: '', width: 90, cell: (p) => p[1]?.[0] ?? '' },
      { title: '', width: half - 90, cell: (p) => p[1]?.[1] ?? '' },
    ],
    pairs,
    false,
  );

  heading('信用评分与评级');
  const score = profile.score;
  if (!score) {
    empty('该企业尚未评分。');
  } else {
    paragraph(`信用分 ${score.score} 分　信用评级 ${score.rating ?? '不予评级'}　分数对应评级 ${score.bandRating}`, { size: 12, color: INK });
    paragraph(`评分卡 ${score.scorecardName}（第 ${score.scorecardVersion} 版）　评分基准日 ${score.asOf}　计算时间 ${shanghaiTime(score.computedAt)}`, {
      size: 9.5,
      color: MUTED,
    });
    if (score.noRatingReason) paragraph(`不予评级：${score.noRatingReason}`);
    if (score.cap) paragraph(`评级上限 ${score.cap.to}（原为 ${score.cap.from}）：${score.cap.reason}`);
    const dimensions = CREDIT_DIMENSIONS.map((d) => {
      const value = score.dimensions[d];
      return `${CREDIT_DIMENSION_LABELS[d]} ${value === null || value === undefined ? '未评估' : Math.round(value)}`;
    });
    paragraph(`维度得分（0–100）：${dimensions.join('　')}`, { size: 9.5, color: INK });
  }

  heading('主要扣分原因与改进建议');
  if (!score) empty('尚无评分，无扣分原因。');
  else if (score.reasons.length === 0) empty('各项均已得到最高分。');
  else {
    score.reasons.forEach((r, i) => {
      item(`${i + 1}. ${r.label}（${r.binLabel}，${CREDIT_DIMENSION_LABELS[r.dimension]}，扣 ${r.lost} 分）`, [r.reason, `改进建议：${r.advice}`]);
    });
  }

  heading('信用记录统计');
  if (profile.recordCounts.length === 0) empty('暂无信用记录。');
  else {
    const w = contentWidth();
    table(
      [
        { title: '记录类别', width: w - 3 * 90, cell: (c) => labelOf(CREDIT_CATEGORY_LABELS, c.category) },
        { title: '记录数', width: 90, align: 'right', cell: (c) => String(c.count) },
        { title: '其中不良', width: 90, align: 'right', cell: (c) => String(c.adverse) },
        { title: '异议中', width: 90, align: 'right', cell: (c) => String(c.disputed) },
      ],
      profile.recordCounts,
    );
  }

  heading('风险预警');
  if (report.warnings.length === 0) empty('暂无风险预警。');
  else {
    for (const w of report.warnings) {
      item(`【${WARNING_SEVERITY_LABELS[w.severity]}】${w.title}`, [w.detail], `${w.ruleLabel}　预警时间 ${shanghaiTime(w.raisedAt)}　${WARNING_STATUS_LABELS[w.status]}`);
    }
  }

  heading('异议记录');
  if (report.disputes.length === 0) empty('暂无异议。');
  else {
    for (const d of report.disputes) {
      item(
        `【${DISPUTE_STATUS_LABELS[d.status]}】${labelOf(CREDIT_CATEGORY_LABELS, d.category)}：${d.recordSummary}`,
        [`异议理由：${d.reason}`, d.resolutionNote ? `处理说明：${d.resolutionNote}` : ''],
        `提出时间 ${shanghaiTime(d.raisedAt)}　数据来源 ${d.sourceName}`,
      );
    }
  }

  // Only agencies that have reported have an opinion; a commission still in progress has nothing to print.
  const opinions = report.agencies.filter((a) => a.summary || a.advice || a.rating);
  if (opinions.length > 0) {
    heading('信用服务机构意见');
    for (const a of opinions) {
      item(
        `${a.agencyName}　评级 ${a.rating ?? '—'}`,
        [a.summary ? `报告摘要：${a.summary}` : '', a.advice ? `授信建议：${a.advice}` : ''],
        a.reportedAt ? `出具时间 ${shanghaiTime(a.reportedAt)}` : undefined,
      );
    }
  }

  const note =
    `本报告仅供${watermark.institution}办理融资申请（编号 ${report.applicationId}）使用，` +
    `依据${enterprise.name}的授权查询生成；不得用于其他用途，不得向第三方提供。`;

  // Footers once the page count is known. They sit in the bottom margin: lift it so pdfkit does not break the page.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const { page } = doc;
    const bottom = page.margins.bottom;
    page.margins.bottom = 0;
    doc.font(FONT).fontSize(7.5).fillColor(MUTED);
    const y = page.height - bottom + 14;
    doc.text(note, MARGIN.left, y, { width: contentWidth() - 80, lineGap: 1 });
    doc.text(`第 ${i + 1} 页，共 ${range.count} 页`, page.width - MARGIN.right - 80, y, { width: 80, align: 'right' });
    page.margins.bottom = bottom;
  }

  doc.end();
  return done;
}
