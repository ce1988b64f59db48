import { Button, Image, Input, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { validateIdCard, validateUscc } from '@xyd/shared'
import { useState } from 'react'
import FormField from '../../../components/FormField'
import { PROGRESS_PAGE } from '../../../routes'
import {
  submitVerification,
  type ApplicantRole,
  type LicenceImage,
  type VerificationForm,
} from '../../../services/enterprise'
import { ApiError } from '../../../services/request'
import { errorMessage } from '../../../utils/errors'
import { flag } from '../../../utils/props'
import './index.css'

type FieldName = keyof VerificationForm | 'licence'
type FieldErrors = Partial<Record<FieldName, string>>

const LICENCE_MAX_BYTES = 5 * 1024 * 1024
const LICENCE_EXTENSIONS = ['jpg', 'jpeg', 'png']

const ROLES: { value: ApplicantRole; label: string; desc: string }[] = [
  { value: 'owner', label: '法定代表人', desc: '本人即企业法定代表人' },
  { value: 'agent', label: '经办人', desc: '受企业委托办理' },
]

const EMPTY_FORM: VerificationForm = {
  uscc: '',
  enterpriseName: '',
  legalRepName: '',
  legalRepIdNumber: '',
  applicantRole: 'owner',
}

function checkName(value: string, label: string): string | undefined {
  const name = value.trim()
  if (!name) return `请输入${label}`
  if (name.length < 2) return `${label}至少 2 个字`
  return undefined
}

/** Client-side checks with the same validators the server uses; returns the normalised form or the errors. */
function checkForm(
  form: VerificationForm,
  licence: LicenceImage | null,
): { ok: true; form: VerificationForm; licence: LicenceImage } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const uscc = validateUscc(form.uscc)
  if (!uscc.ok) errors.uscc = uscc.message
  const enterpriseName = checkName(form.enterpriseName, '企业名称')
  if (enterpriseName) errors.enterpriseName = enterpriseName
  const legalRepName = checkName(form.legalRepName, '法定代表人姓名')
  if (legalRepName) errors.legalRepName = legalRepName
  const idNumber = validateIdCard(form.legalRepIdNumber)
  if (!idNumber.ok) errors.legalRepIdNumber = idNumber.message
  if (!licence) errors.licence = '请上传营业执照照片'
  // The last three repeat what `errors` already says, for TypeScript's narrowing.
  if (Object.keys(errors).length > 0 || !uscc.ok || !idNumber.ok || !licence) return { ok: false, errors }
  return {
    ok: true,
    licence,
    form: {
      uscc: uscc.value,
      enterpriseName: form.enterpriseName.trim(),
      legalRepName: form.legalRepName.trim(),
      legalRepIdNumber: idNumber.value,
      applicantRole: form.applicantRole,
    },
  }
}

function extensionOf(name: string): string {
  const match = /\.([a-z0-9]+)$/i.exec(name)
  return match ? match[1].toLowerCase() : ''
}

export default function BindEnterprise() {
  const [form, setForm] = useState<VerificationForm>(EMPTY_FORM)
  const [licence, setLicence] = useState<LicenceImage | null>(null)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [formError, setFormError] = useState('')
  const [submitting, setSubmitting] = useState(false)

  const update = (field: keyof VerificationForm, value: string) => {
    setForm((current) => ({ ...current, [field]: value }))
    setErrors((current) => ({ ...current, [field]: undefined }))
  }

  const checkOnBlur = (field: 'uscc' | 'legalRepIdNumber') => {
    const value = form[field]
    if (!value) return
    const result = field === 'uscc' ? validateUscc(value) : validateIdCard(value)
    setErrors((current) => ({ ...current, [field]: result.ok ? undefined : result.message }))
  }

  const chooseLicence = async () => {
    let chosen: Taro.chooseImage.SuccessCallbackResult
    try {
      chosen = await Taro.chooseImage({ count: 1, sizeType: ['compressed'], sourceType: ['album', 'camera'] })
    } catch {
      return // cancelled
    }
    const file = chosen.tempFiles[0]
    if (!file) return
    const name = (file as { originalFileObj?: { name?: string } }).originalFileObj?.name
    const extension = extensionOf(name ?? file.path)
    if (extension && !LICENCE_EXTENSIONS.includes(extension)) {
      setErrors((current) => ({ ...current, licence: '营业执照照片应为 JPG 或 PNG 格式' }))
      return
    }
    if (file.size > LICENCE_MAX_BYTES) {
      setErrors((current) => ({ ...current, licence: '营业执照照片不能超过 5 MB' }))
      return
    }
    setLicence({ path: file.path, size: file.size, name })
    setErrors((current) => ({ ...current, licence: undefined }))
  }

  const submit = async () => {
    if (submitting) return
    setFormError('')
    const checked = checkForm(form, licence)
    if (!checked.ok) {
      setErrors(checked.errors)
      return
    }
    setSubmitting(true)
    try {
      await submitVerification(checked.form, checked.licence)
      Taro.showToast({ title: '已提交，等待审核', icon: 'success' })
      Taro.redirectTo({ url: PROGRESS_PAGE })
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldMessages() as FieldErrors)
      setFormError(errorMessage(e, '提交失败，请稍后重试'))
    } finally {
      setSubmitting(false)
    }
  }

  return (
    <View className='page bind'>
      <View className='notice notice--info'>
        <Text>请填写与营业执照一致的信息，提交后由融资顾问核验，通过后即可使用企业服务。</Text>
      </View>

      {formError ? (
        <View className='notice notice--error' data-testid='bind-form-error'>
          <Text>{formError}</Text>
        </View>
      ) : null}

      <View className='card bind-form'>
        <FormField testId='bind-uscc' label='统一社会信用代码' required error={errors.uscc} hint='18 位，见营业执照'>
          <Input
            className='input'
            data-testid='bind-uscc'
            name='uscc'
            type='text'
            maxlength={18}
            placeholder='请输入 18 位统一社会信用代码'
            value={form.uscc}
            onInput={(e) => update('uscc', e.detail.value.toUpperCase())}
            onBlur={() => checkOnBlur('uscc')}
          />
        </FormField>

        <FormField testId='bind-enterprise-name' label='企业名称' required error={errors.enterpriseName}>
          <Input
            className='input'
            data-testid='bind-enterprise-name'
            name='enterpriseName'
            maxlength={100}
            placeholder='与营业执照上的名称一致'
            value={form.enterpriseName}
            onInput={(e) => update('enterpriseName', e.detail.value)}
          />
        </FormField>

        <FormField testId='bind-legal-rep-name' label='法定代表人姓名' required error={errors.legalRepName}>
          <Input
            className='input'
            data-testid='bind-legal-rep-name'
            name='legalRepName'
            maxlength={50}
            placeholder='请输入法定代表人姓名'
            value={form.legalRepName}
            onInput={(e) => update('legalRepName', e.detail.value)}
          />
        </FormField>

        <FormField testId='bind-legal-rep-id' label='法定代表人身份证号' required error={errors.legalRepIdNumber}>
          <Input
            className='input'
            data-testid='bind-legal-rep-id'
            name='legalRepIdNumber'
            type='idcard'
            maxlength={18}
            placeholder='请输入 18 位身份证号码'
            value={form.legalRepIdNumber}
            onInput={(e) => update('legalRepIdNumber', e.detail.value)}
            onBlur={() => checkOnBlur('legalRepIdNumber')}
          />
        </FormField>

        <FormField testId='bind-role' label='申请人身份' required error={errors.applicantRole}>
          <View className='bind-roles'>
            {ROLES.map((role) => (
              <View
                key={role.value}
                className={`bind-role${form.applicantRole === role.value ? ' bind-role--active' : ''}`}
                data-testid={`bind-role-${role.value}`}
                data-selected={form.applicantRole === role.value ? 'true' : 'false'}
                onClick={() => update('applicantRole', role.value)}
              >
                <Text className='bind-role__label'>{role.label}</Text>
                <Text className='bind-role__desc'>{role.desc}</Text>
              </View>
            ))}
          </View>
        </FormField>

        <FormField testId='bind-licence' label='营业执照照片' required error={errors.licence} hint='JPG 或 PNG，不超过 5 MB'>
          {licence ? (
            <Image
              className='bind-licence__preview'
              data-testid='bind-licence-preview'
              src={licence.path}
              mode='aspectFit'
              onClick={chooseLicence}
            />
          ) : null}
          <Button className='btn btn--ghost' size='mini' data-testid='bind-licence' onClick={chooseLicence}>
            {licence ? '重新选择' : '上传营业执照'}
          </Button>
        </FormField>
      </View>

      <Button
        className='btn btn--primary btn--block'
        data-testid='bind-submit'
        disabled={flag(submitting)}
        // Only the spinner changes while submitting: changing the label too upsets the H5 button's slot.
        loading={flag(submitting)}
        onClick={submit}
      >
        提交认证
      </Button>
    </View>
  )
}
