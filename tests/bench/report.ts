/**
 * The credit report PDF (`BENCH_ONLY=report` runs it alone), in process: a one-page and a two-page report rendered
 * BENCH_REPORTS times each (default 40) after one warm-up render that reads the font; p50 and p99 ms and the size.
 * The baseline is pdfkit rendering a page with only the title in the same font: the fixed cost of parsing the font
 * and writing a subset, so the ratio shows what the report's content and watermark add.
 */
import PDFDocument from 'pdfkit';
import { renderCreditReportPdf } from '../../server/src/modules/financing/pdf';
import { creditReport } from '../server/fixtures/credit-report';
import type { IngestFigure } from './ingest';

const FONT = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');

function titleOnly(font: Buffer): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.on('data', (c: Buffer) => chunks.push(c));
  doc.registerFont('NotoSansSC', font);
  doc.font('NotoSansSC').fontSize(18).text('企业信用报告');
  doc.end();
  return done;
}

async function timed(n: number, run: () => Promise<Buffer>): Promise<{ p50: number; p99: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    bytes = (await run()).length;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n / 2)]!, p99: times[Math.min(n - 1, Math.floor(n * 0.99))]!, bytes };
}

export async function benchReport(): Promise<Record<string, IngestFigure>> {
  const n = Number(process.env.BENCH_REPORTS ?? 40);
  const { readFileSync } = await import('node:fs');
  const font = readFileSync(FONT);
  await renderCreditReportPdf(creditReport());
  const base = await timed(n, () => titleOnly(font));
  const out: Record<string, IngestFigure> = {};
  for (const [name, report] of [
    ['credit report PDF, one page', creditReport()],
    ['credit report PDF, two pages', creditReport({ longOpinion: true })],
  ] as const) {
    const run = await timed(n, () => renderCreditReportPdf(report));
    out[name] = {
      value: Number(run.p50.toFixed(1)),
      unit: 'ms (p50)',
      p50: Number(run.p50.toFixed(1)),
      p99: Number(run.p99.toFixed(1)),
      kilobytes: Math.round(run.bytes / 1024),
      baseline: Number(base.p50.toFixed(1)),
      baselineName: 'title-only page in the same font',
      ratio: Number((run.p50 / base.p50).toFixed(2)),
    };
  }
  return out;
}

export function reportTable(figures: Record<string, IngestFigure>): string[] {
  if (Object.keys(figures).length === 0) return [];
  const lines = ['', '| credit report | p50 ms | p99 ms | KB | baseline | baseline p50 ms | ratio |', '|---|---|---|---|---|---|---|'];
  for (const [name, f] of Object.entries(figures)) lines.push(`| ${name} | ${f.p50} | ${f.p99} | ${f.kilobytes} | ${f.baselineName} | ${f.baseline} | ${f.ratio} |`);
  return lines;
}
