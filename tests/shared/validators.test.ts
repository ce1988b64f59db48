import {
  idCardCheckCharacter,
  maskIdNumber,
  maskMobile,
  normaliseUscc,
  usccCheckCharacter,
  validateIdCard,
  ZUscc,
  validateMobile,
  validateUscc,
  checkPasswordPolicy,
  ZVerificationSubmit,
} from '@xyd/shared';

describe('unified social credit code (GB 32100-2015)', () => {
  it.each(['91350100M000100Y43', '91110000600037341L', '9144030071526726XG', '91110108551385082Q', '914403001922038216'])('accepts %s', (code) => {
    expect(validateUscc(code)).toEqual({ ok: true, value: code });
  });

  it('normalises case and whitespace', () => {
    expect(validateUscc(' 91350100m000100y43 ')).toEqual({ ok: true, value: '91350100M000100Y43' });
  });

  it('normalises pasted codes: inner spaces, ideographic spaces, full-width characters, lower case', () => {
    const pasted = ['9135 0100 M000 100Y43', '\u3000９１３５０１００Ｍ０００１００Ｙ４３\u3000', '91350100\tm000100\u00a0y43\n', '９１３５０１００ｍ０００１００ｙ４３', '\u200b91350100M000100Y43\ufeff'];
    for (const input of pasted) {
      expect(normaliseUscc(input)).toBe('91350100M000100Y43');
      expect(validateUscc(input)).toEqual({ ok: true, value: '91350100M000100Y43' });
    }
  });

  it('counts the length after normalising', () => {
    expect(validateUscc('９１３５ ０１００ Ｍ０００ １００Ｙ４')).toEqual({ ok: false, message: expect.stringContaining('当前为 17 位') });
  });

  it('normalises in the zod schema used by every app', () => {
    expect(ZUscc.parse(' ９１３５０１００ｍ０００１００ｙ４３ ')).toBe('91350100M000100Y43');
    expect(ZVerificationSubmit.parse({
      uscc: '9135\u30000100 m000 100y43',
      enterpriseName: '测试企业',
      legalRepName: '张三',
      legalRepIdNumber: '11010519491231002X',
      applicantRole: 'owner',
    }).uscc).toBe('91350100M000100Y43');
  });

  it('names the wrong check character', () => {
    const result = validateUscc('91350100M000100Y44');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('应为“3”');
  });

  it('rejects a wrong length with the length it saw', () => {
    const result = validateUscc('91350100M000100Y4');
    expect(result).toEqual({ ok: false, message: expect.stringContaining('当前为 17 位') });
  });

  it.each(['I', 'O', 'Z', 'S', 'V'])('rejects the excluded letter %s at its position', (letter) => {
    const result = validateUscc(`91350100M00010${letter}Y43`);
    expect(result).toEqual({ ok: false, message: expect.stringContaining(`第 15 位字符“${letter}”不合法`) });
  });

  it('requires a numeric region code in characters 3-8', () => {
    const first17 = '91A50100M000100Y4';
    const result = validateUscc(first17 + usccCheckCharacter(first17));
    expect(result).toEqual({ ok: false, message: expect.stringContaining('行政区划码') });
  });

  it('computes check characters that round-trip for generated codes', () => {
    for (let n = 0; n < 200; n++) {
      const first17 = `91330106MA${String(1000000 + n * 7919).slice(-7)}`;
      expect(validateUscc(first17 + usccCheckCharacter(first17)).ok).toBe(true);
    }
  });

  it('rejects empty input', () => {
    expect(validateUscc('')).toEqual({ ok: false, message: '请输入统一社会信用代码' });
  });
});

describe('resident identity number (GB 11643)', () => {
  it('accepts the standard example with an X check character', () => {
    expect(validateIdCard('11010519491231002X')).toEqual({ ok: true, value: '11010519491231002X' });
    expect(validateIdCard('11010519491231002x')).toEqual({ ok: true, value: '11010519491231002X' });
  });

  it('accepts a numeric check character', () => {
    const first17 = '33010619900307123';
    const id = first17 + idCardCheckCharacter(first17);
    expect(validateIdCard(id).ok).toBe(true);
  });

  it('names the expected check character', () => {
    expect(validateIdCard('110105194912310021')).toEqual({ ok: false, message: expect.stringContaining('应为“X”') });
  });

  it('rejects an impossible birth date', () => {
    const first17 = '33010619900230123';
    expect(validateIdCard(first17 + idCardCheckCharacter(first17))).toEqual({
      ok: false,
      message: expect.stringContaining('19900230'),
    });
  });

  it('rejects letters inside and wrong lengths', () => {
    expect(validateIdCard('1101051949123100AX').ok).toBe(false);
    expect(validateIdCard('110105194912310')).toEqual({ ok: false, message: expect.stringContaining('当前为 15 位') });
  });
});

describe('mobile numbers', () => {
  it.each(['13812345678', '+86 138-1234-5678', '8613812345678'])('accepts %s', (m) => {
    expect(validateMobile(m)).toEqual({ ok: true, value: '13812345678' });
  });
  it.each(['12812345678', '1381234567', 'abc'])('rejects %s', (m) => {
    expect(validateMobile(m).ok).toBe(false);
  });
});

describe('masking', () => {
  it('masks identity numbers and mobiles', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
    expect(maskMobile('13812345678')).toBe('138****5678');
    expect(maskMobile('12')).toBe('**');
  });
});

describe('password policy', () => {
  it('needs twelve characters of three classes', () => {
    expect(checkPasswordPolicy('Short1!')).toBe('密码至少 12 位');
    expect(checkPasswordPolicy('alllowercaseletters')).toContain('至少三类');
    expect(checkPasswordPolicy('Lower-and-UPPER')).toBeNull();
  });
});

describe('verification schema', () => {
  it('reports the field and the validator message', () => {
    const parsed = ZVerificationSubmit.safeParse({
      uscc: '91350100M000100Y44',
      enterpriseName: '测试企业',
      legalRepName: '张三',
      legalRepIdNumber: '11010519491231002X',
      applicantRole: 'owner',
    });
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(parsed.error.issues[0].path).toEqual(['uscc']);
      expect(parsed.error.issues[0].message).toContain('校验位不正确');
    }
  });
});
