/** Console password policy: at least 12 characters drawing on three of lower, upper, digit, symbol. */
export function checkPasswordPolicy(password: string): string | null {
  if (password.length < 12) return '密码至少 12 位';
  if (password.length > 128) return '密码不能超过 128 位';
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) return '密码须包含大写字母、小写字母、数字、符号中的至少三类';
  return null;
}
