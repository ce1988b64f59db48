import fs from 'node:fs';
import path from 'node:path';
import {
  INDUSTRY_LEVEL_LABELS,
  industryAncestors,
  industryByCode,
  industryChildren,
  industryCovers,
  isIndustryClass,
  validateIndustryClass,
  type TIndustry,
} from '@xyd/shared';

/** Every entry of the table, reached only through the public tree walk. */
function walk(): TIndustry[] {
  const all: TIndustry[] = [];
  const visit = (code: string | null) => {
    for (const child of industryChildren(code)) {
      all.push(child);
      visit(child.code);
    }
  };
  visit(null);
  return all;
}

describe('GB/T 4754-2017 table', () => {
  const all = walk();

  it('has 20 门类, 97 大类, 473 中类 and 1,381 小类', () => {
    const counts = { section: 0, division: 0, group: 0, class: 0 };
    for (const industry of all) counts[industry.level] += 1;
    expect(counts).toEqual({ section: 20, division: 97, group: 473, class: 1381 });
    expect(new Set(all.map((i) => i.code)).size).toBe(1971);
  });

  it('nests every code under its parent by prefix, with the code shape of its level', () => {
    const shapes = { section: /^[A-T]$/, division: /^[A-T]\d{2}$/, group: /^[A-T]\d{3}$/, class: /^[A-T]\d{4}$/ };
    for (const industry of all) {
      expect(industry.code).toMatch(shapes[industry.level]);
      if (industry.parent === null) expect(industry.level).toBe('section');
      else expect(industry.code.startsWith(industry.parent)).toBe(true);
      expect(industry.name.trim()).toBe(industry.name);
      expect(industry.name.length).toBeGreaterThan(0);
    }
  });

  it('is the 2017 edition: software development is split into four 小类', () => {
    expect(industryChildren('I651').map((i) => `${i.code} ${i.name}`)).toEqual([
      'I6511 基础软件开发',
      'I6512 支撑软件开发',
      'I6513 应用软件开发',
      'I6519 其他软件开发',
    ]);
  });

  it('labels the four levels in Chinese', () => {
    expect(INDUSTRY_LEVEL_LABELS).toEqual({ section: '门类', division: '大类', group: '中类', class: '小类' });
  });
});

describe('industry lookups', () => {
  it('finds a code after trimming and upper-casing it', () => {
    expect(industryByCode(' c3484 ')).toEqual({ code: 'C3484', name: '机械零部件加工', parent: 'C348', level: 'class' });
    expect(industryByCode('C')).toEqual({ code: 'C', name: '制造业', parent: null, level: 'section' });
    expect(industryByCode('Ｃ３４８４')?.code).toBe('C3484');
  });

  it('reads digits without the 门类 letter as the same code', () => {
    expect(industryByCode('3484')?.code).toBe('C3484');
    expect(industryByCode('0141')?.code).toBe('A0141');
    expect(industryByCode('65')?.code).toBe('I65');
    expect(industryByCode('348')?.code).toBe('C348');
  });

  it('answers null for what is not in the 2017 edition', () => {
    for (const code of ['G5430', 'C9999', 'Z', '', 'C34841', '99', '5430']) expect(industryByCode(code)).toBeNull();
  });

  it('knows which codes are 小类', () => {
    expect(isIndustryClass('C3484')).toBe(true);
    expect(isIndustryClass('g5431')).toBe(true);
    expect(isIndustryClass('G543')).toBe(false);
    expect(isIndustryClass('G54')).toBe(false);
    expect(isIndustryClass('G')).toBe(false);
    expect(isIndustryClass('G5430')).toBe(false);
  });

  it('lists ancestors from the 门类 down to the code itself', () => {
    expect(industryAncestors('C3484').map((i) => [i.code, i.name])).toEqual([
      ['C', '制造业'],
      ['C34', '通用设备制造业'],
      ['C348', '通用零部件制造'],
      ['C3484', '机械零部件加工'],
    ]);
    expect(industryAncestors('C34').map((i) => i.code)).toEqual(['C', 'C34']);
    expect(industryAncestors('C')).toHaveLength(1);
    expect(industryAncestors('G5430')).toEqual([]);
  });

  it('tells whether a code lies under another', () => {
    expect(industryCovers('C', 'C3484')).toBe(true);
    expect(industryCovers('C34', 'C3484')).toBe(true);
    expect(industryCovers('c348', ' c3484')).toBe(true);
    expect(industryCovers('C3484', 'C3484')).toBe(true);
    expect(industryCovers('C3484', 'C34')).toBe(false);
    expect(industryCovers('C35', 'C3484')).toBe(false);
    expect(industryCovers('I', 'C3484')).toBe(false);
    expect(industryCovers('G543', 'G5431')).toBe(true);
    expect(industryCovers('G', 'G5430')).toBe(false);
    expect(industryCovers('X', 'C3484')).toBe(false);
  });

  it('lists children in the standard order; null gives the 20 门类', () => {
    expect(industryChildren(null).map((i) => i.code).join('')).toBe('ABCDEFGHIJKLMNOPQRST');
    expect(industryChildren('G54').map((i) => i.code)).toEqual(['G541', 'G542', 'G543', 'G544']);
    expect(industryChildren('C3484')).toEqual([]);
    expect(industryChildren('nope')).toEqual([]);
  });

  it('hands out copies: a caller cannot change the table', () => {
    industryChildren(null).pop();
    expect(industryChildren(null)).toHaveLength(20);
    expect(() => {
      (industryByCode('C3484') as TIndustry).name = 'x';
    }).toThrow();
    expect(industryByCode('C3484')?.name).toBe('机械零部件加工');
  });
});

describe('validateIndustryClass', () => {
  it('accepts a 小类 and gives its canonical code', () => {
    expect(validateIndustryClass(' i6513 ')).toEqual({ ok: true, value: 'I6513' });
    expect(validateIndustryClass('5431')).toEqual({ ok: true, value: 'G5431' });
  });

  it('refuses a code that is not in the edition, in Chinese', () => {
    expect(validateIndustryClass('G5430')).toEqual({ ok: false, message: '「G5430」不是 GB/T 4754-2017 的行业小类代码' });
  });

  it('refuses a higher level and says which level it is', () => {
    const result = validateIndustryClass('C34');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('「C34」不是 GB/T 4754-2017 的行业小类代码');
      expect(result.message).toContain('大类「通用设备制造业」');
    }
  });

  it('asks for a code when given none', () => {
    expect(validateIndustryClass('  ')).toEqual({ ok: false, message: expect.stringContaining('请输入国民经济行业代码') });
  });
});

describe('demo seed', () => {
  it('uses only 小类 of the 2017 edition, each with its standard name', () => {
    const source = fs.readFileSync(path.join(__dirname, '../../server/src/seed/demo.ts'), 'utf8');
    const table = /const INDUSTRIES[^=]*=\s*\[([\s\S]*?)\n\];/.exec(source);
    expect(table).not.toBeNull();
    const entries = [...table![1].matchAll(/\[\s*'([^']+)',\s*'([^']+)',\s*'[^']+'\s*\]/g)].map((m) => [m[1], m[2]]);
    expect(entries.length).toBeGreaterThanOrEqual(10);
    for (const [code, name] of entries) {
      expect({ code, class: isIndustryClass(code) }).toEqual({ code, class: true });
      expect({ code, name }).toEqual({ code, name: industryByCode(code)!.name });
    }
  });
});
