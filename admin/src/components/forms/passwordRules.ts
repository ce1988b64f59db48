import type { FormRule } from 'antd';
import { checkPasswordPolicy } from '@xyd/shared';

/** The console password policy from @xyd/shared, so the form says what the server would. */
export const newPasswordRules: FormRule[] = [
  { required: true, message: '请输入新密码' },
  {
    validator: async (_, value?: string) => {
      if (!value) return;
      const problem = checkPasswordPolicy(value);
      if (problem) throw new Error(problem);
    },
  },
];

export function confirmPasswordRules(field = 'newPassword'): FormRule[] {
  return [
    { required: true, message: '请再次输入新密码' },
    ({ getFieldValue }) => ({
      validator: async (_, value?: string) => {
        if (value && value !== getFieldValue(field)) throw new Error('两次输入的密码不一致');
      },
    }),
  ];
}
