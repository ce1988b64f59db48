import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderCreditReportPdf } from '../../server/src/modules/financing/pdf';
import { WATERMARK, creditReport } from './fixtures/credit-report';

/**
 * The credit report PDF as a reader gets it: poppler's tools read the text layer, the page count and the fonts, so
 * what is checked is what a viewer shows and what copying the text gives, not how the file was drawn.
 */


let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'report-pdf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function saved(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}
const poppler = (tool: string, ...args: string[]): string => execFileSync(tool, args, { encoding: 'utf8' });
const squash = (text: string): string => text.replace(/\s+/g, '');
/**
 * The body text of one page with spacing and line breaks taken out, so that wrapped lines read whole. `-nodiag`
 * leaves out the diagonal watermark, which pdftotext would otherwise interleave with the body character by character.
 */
const bodyText = (file: string, page: number): string =>
  squash(poppler('pdftotext', '-nodiag', '-f', String(page), '-l', String(page), '-enc', 'UTF-8', file, '-'));
/** How many whole copies of the watermark one page carries: in content-stream order each copy reads in one piece. */
const watermarks = (file: string, page: number): number =>
  squash(poppler('pdftotext', '-raw', '-f', String(page), '-l', String(page), '-enc', 'UTF-8', file, '-')).split(squash(WATERMARK)).length - 1;
const pageCount = (file: string): number => Number(/^Pages:\s+(\d+)/m.exec(poppler('pdfinfo', file))?.[1]);
/** The body's words on one page with their boxes, in reading order. */
function words(file: string, page: number): { text: string; x: number; y: number; height: number }[] {
  const html = poppler('pdftotext', '-bbox', '-nodiag', '-f', String(page), '-l', String(page), '-enc', 'UTF-8', file, '-');
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    text: m[4],
    x: Number(m[1]),
    y: Number(m[2]),
    height: Number(m[3]) - Number(m[2]),
  }));
}

describe('renderCreditReportPdf', () => {
  let onePage: Buffer;
  let twoPages: Buffer;
  beforeAll(async () => {
    onePage = await renderCreditReportPdf(creditReport());
    twoPages = await renderCreditReportPdf(creditReport({ longOpinion: true }));
  });

  it('is a small A4 PDF whose only font is embedded as a subset', () => {
    expect(onePage.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = saved('one.pdf', onePage);
    const info = poppler('pdfinfo', file);
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)/m);
    expect(info).toMatch(/^Title:\s+企业信用报告 - 杭州青山精密机械有限公司$/m);
    expect(info).toMatch(/^Author:\s+信易贷平台$/m);
    expect(info).toMatch(/^Subject:\s+.*8802/m);

    // name  type  encoding  emb sub uni  object ID
    const fonts = poppler('pdffonts', file).split('\n').slice(2).filter(Boolean);
    expect(fonts).toHaveLength(1);
    expect(fonts[0]).toMatch(/^[A-Z]{6}\+NotoSansSC-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s/);
    expect(onePage.length).toBeLessThan(300 * 1024);
  });

  it('carries the facts, the score and its reasons, the records, the warning, the dispute and the opinion as text', () => {
    const text = bodyText(saved('facts.pdf', onePage), 1);
    for (const expected of [
      '企业信用报告',
      '杭州青山精密机械有限公司',
      '91330106MA2B0XYZ1K',
      '王青山',
      '500万元',
      '2015-06-18',
      '通用设备制造业',
      '330106',
      '小型',
      '存续',
      '信用分712分',
      '信用评级BBB',
      '专家评分卡（第3版）',
      '评级上限BBB',
      '近12个月欠税',
      '按期申报缴纳税款，结清欠税后申请信用修复',
      '参保人数变化',
      '纳税',
      '行政处罚',
      '社会保险',
      '【高】新增欠税记录',
      '2026-11-0511:00',
      '【处理中】行政处罚：环保设施未正常运行',
      '2026-11-1014:00',
      '浙江诚信评估有限公司评级BBB',
      '建议授信不超过300万元',
      // generatedAt 02:30 UTC is 10:30 in Shanghai.
      '生成时间2026-12-0110:30（北京时间）',
      '本报告仅供杭州联合银行办理融资申请（编号8802）使用，依据杭州青山精密机械有限公司的授权查询生成',
      '第1页，共1页',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('lists each category with its count, adverse and disputed records in one row', () => {
    // -layout keeps each table row on one line.
    const lines = poppler('pdftotext', '-layout', '-nodiag', '-enc', 'UTF-8', saved('layout.pdf', onePage), '-').split('\n');
    const row = (label: string) => lines.map((l) => l.trim()).find((l) => l.startsWith(label)) ?? '';
    expect(row('行政处罚')).toMatch(/^行政处罚\s+2\s+2\s+1$/);
    expect(row('纳税')).toMatch(/^纳税\s+36\s+1\s+0$/);
  });

  it('flows onto a second page that also carries the watermark, and stays well under 1 MB', () => {
    const file = saved('two.pdf', twoPages);
    expect(pageCount(file)).toBe(2);
    const second = bodyText(file, 2);
    expect(second).toContain('授信建议：建议授信不超过300万元');
    expect(second).toContain('第2页，共2页');
    expect(bodyText(file, 1)).toContain('第1页，共2页');
    expect(twoPages.length).toBeLessThan(1024 * 1024);
  });

  it('prints the watermark across every page', () => {
    for (const [name, bytes] of [
      ['wm-one.pdf', onePage],
      ['wm-two.pdf', twoPages],
    ] as const) {
      const file = saved(name, bytes);
      for (let page = 1; page <= pageCount(file); page++) {
        // Repeated across the page, not a single stamp.
        expect(watermarks(file, page)).toBeGreaterThanOrEqual(6);
      }
    }
  });

  it('leaves the body where it was: the watermark drawn on a new page does not move the text cursor', () => {
    const file = saved('cursor.pdf', twoPages);
    const [title] = words(file, 1);
    expect(title.text).toBe('企业信用报告');
    expect(title.y).toBeCloseTo(44, 0);
    // The opinion overflows: its next line opens page 2 at the top margin, still indented, in the same size.
    const first = words(file, 2)[0];
    const before = words(file, 1).filter((w) => w.text.includes('企业主营')).pop()!;
    expect(first.y).toBeCloseTo(44, 0);
    expect(first.x).toBeCloseTo(before.x, 1);
    expect(first.height).toBeCloseTo(before.height, 1);
  });

  it('renders a firm without a score, warnings, disputes or opinions', async () => {
    const bare = creditReport();
    bare.profile = { ...bare.profile, score: null, recordCounts: [] };
    bare.warnings = [];
    bare.disputes = [];
    bare.agencies = [{ ...bare.agencies[0], status: 'commissioned', rating: null, summary: null, advice: null, reportedAt: null, reportedByName: null }];
    const text = bodyText(saved('bare.pdf', await renderCreditReportPdf(bare)), 1);
    expect(text).toContain('该企业尚未评分');
    expect(text).toContain('暂无信用记录');
    expect(text).toContain('暂无风险预警');
    expect(text).toContain('暂无异议');
    expect(text).not.toContain('信用服务机构意见');
  });
});
