import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TrainingInputError } from '../modules/credit-engine/trainer/errors';
import { formatTrainReport } from '../modules/credit-engine/trainer/report';
import { readTableFile } from '../modules/credit-engine/trainer/table';
import { trainScorecard, type TTrainOptions } from '../modules/credit-engine/trainer/train';

/**
 * `npm run credit:train -- --data FILE --label COLUMN [--good VALUE] [--out version.json] …`: trains a scorecard
 * version on a CSV or ARFF file, prints the report (IV, coefficients, held-out and cross-validated AUC / KS / Gini,
 * PSI, bad rate per band) and writes the version document. Exit 0 on success, 2 when the arguments or the data
 * are unusable (with a message saying what is wrong), 1 on anything unexpected.
 */

export const CREDIT_TRAIN_USAGE = `用法：npm run credit:train -- --data 文件 --label 列名 [选项]
  --data FILE        训练数据：CSV（UTF-8 或 GBK，逗号/制表符/分号分隔，首行为表头）或 ARFF；空值与 ? 视为缺失
  --label COLUMN     标签列（二值）
  --good VALUE       标签中表示“好”的取值；不填时标签须为 0/1，1 表示坏（违约，模型预测的事件），0 表示好；
                     标签是两个非数字取值（如 good/bad）时必须填写
  --out FILE         把评分卡版本（JSON，xyd-scorecard/1）写到此文件；不填则只打印报告
  --name NAME        版本名称（默认“<文件名> 训练版 <日期>”）
  --seed N           随机种子（默认 2026；相同数据与参数得到相同结果）
  --folds K          交叉验证折数（默认 5）
  --repeats R        交叉验证重复次数（默认 3；0 表示不做交叉验证）
  --holdout P        留出比例（默认 0.3；0 表示在全部数据上拟合、不做留出验证）
  --monotone         数值特征的 WOE 强制单调（方向按与坏样本的秩相关确定）
  --min-bin P        每个分箱至少占训练行数的比例（默认 0.05）
  --max-bins N       每个特征最多分箱数（默认 10，缺失值另占一箱）
  --min-iv X         入模的最低信息值 IV（默认 0.02）
  --exclude A,B      不作为特征的列（如编号），逗号分隔
  -h, --help         显示本说明`;

/** Arguments the command cannot run with; an empty message asks for the usage text (--help). */
export class UsageError extends Error {}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

function numberOption(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().replace(/_/g, '');
  if (!DECIMAL.test(text) || (integer && !/^\d+$/.test(text))) {
    throw new UsageError(`--${name} 应为${integer ? '非负整数' : '数值'}，当前为「${value}」`);
  }
  return Number(text);
}

export interface TCreditTrainArgs {
  data: string;
  out?: string;
  options: TTrainOptions;
}

export function parseCreditTrainArgs(argv: string[], today = new Date()): TCreditTrainArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        label: { type: 'string' },
        good: { type: 'string' },
        out: { type: 'string' },
        name: { type: 'string' },
        seed: { type: 'string' },
        folds: { type: 'string' },
        repeats: { type: 'string' },
        holdout: { type: 'string' },
        monotone: { type: 'boolean' },
        'min-bin': { type: 'string' },
        'max-bins': { type: 'string' },
        'min-iv': { type: 'string' },
        exclude: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`参数不正确：${(error as Error).message}`);
  }
  if (values.help) throw new UsageError('');
  if (!values.data) throw new UsageError('请用 --data 文件 指定训练数据');
  if (!values.label) throw new UsageError('请用 --label 列名 指定标签列');
  const base = path.basename(values.data).replace(/\.[^.]+$/, '');
  return {
    data: values.data,
    out: values.out,
    options: {
      label: values.label,
      good: values.good,
      exclude: values.exclude
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      name: values.name ?? `${base.slice(0, 70)} 训练版 ${today.toISOString().slice(0, 10)}`,
      dataName: path.basename(values.data),
      seed: numberOption(values.seed, 'seed', true),
      folds: numberOption(values.folds, 'folds', true),
      repeats: numberOption(values.repeats, 'repeats', true),
      holdout: numberOption(values.holdout, 'holdout', false),
      monotone: values.monotone ?? false,
      minBin: numberOption(values['min-bin'], 'min-bin', false),
      maxBins: numberOption(values['max-bins'], 'max-bins', true),
      minIv: numberOption(values['min-iv'], 'min-iv', false),
    },
  };
}

function main(): void {
  const args = parseCreditTrainArgs(process.argv.slice(2));
  const table = readTableFile(args.data);
  const { scorecard, report } = trainScorecard(table, args.options);
  process.stdout.write(formatTrainReport(report));
  if (args.out) {
    const target = path.resolve(args.out);
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, `${JSON.stringify(scorecard, null, 2)}\n`);
    } catch (error) {
      throw new TrainingInputError(`无法写入 ${args.out}（${(error as NodeJS.ErrnoException).code ?? (error as Error).message}）`);
    }
    process.stdout.write(`评分卡版本已写入 ${args.out}（${scorecard.characteristics.length} 个特征）\n`);
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) {
        console.error(`${error.message}\n\n${CREDIT_TRAIN_USAGE}`);
        process.exitCode = 2;
      } else console.log(CREDIT_TRAIN_USAGE);
    } else if (error instanceof TrainingInputError) {
      console.error(error.message);
      process.exitCode = 2;
    } else {
      console.error(`训练失败：${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
}
