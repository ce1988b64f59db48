import { Button, Image, Input, Text, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import type { TVerification } from '@xyd/shared'
import { ApiError, CLIENT_ERROR, normaliseUscc, validateIdCard, validateUscc } from '@xyd/shared'
import { useEffect, useRef, useState } from 'react'
import FormField from '../../../components/FormField'
import { PROGRESS_PAGE } from '../../../routes'
import { listMyVerificationsNewestFirst, type ApplicantRole, type LicenceImage, type VerificationForm } from '../../../services/enterprise'
import { submitVerification } from '../../../services/generated'
import { newIdempotencyKey } from '../../../services/request'
import { errorMessage } from '../../../utils/errors'
import { LICENCE_TYPE_MESSAGE, licenceProblem, type PickedFile } from '../../../utils/licence'
import { flag } from '../../../utils/props'
import './index.css'

type FieldName = keyof VerificationForm | 'licence'
type FieldErrors = Partial<Record<FieldName, string>>

/** Room for a code pasted with spaces or in full-width characters: it is normalised, then checked for 18 characters. */
const USCC_INPUT_MAX = 64

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

/**
 * "修改后重新提交" opens this page with the rejected request's id: its fields (all but the identity number, which the
 * server never returns) fill the form, without overwriting anything the user has typed already.
 */
function useRejectedRequest(id: string | undefined, prefill: (rejected: TVerification) => void): TVerification | null {
  const [rejected, setRejected] = useState<TVerification | null>(null)
  useEffect(() => {
    if (!id) return
    let live = true
    listMyVerificationsNewestFirst()
      .then((list) => {
        const found = list.find((v) => v.id === id && v.status === 'rejected')
        if (live && found) {
          setRejected(found)
          prefill(found)
        }
      })
      .catch(() => {
        // Nothing to prefill from: the user fills the form in as for a first request.
      })
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id])
  return rejected
}

export default function BindEnterprise() {
  const [form, setForm] = useState<VerificationForm>(EMPTY_FORM)
  const [licence, setLicence] = useState<LicenceImage | null>(null)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [formError, setFormError] = useState('')
  const [submitting, setSubmitting] = useState(false)
  // Tapping 提交 again after a submission that got no answer is the same action: it reuses the key, so the server
  // files the request once. Any change to the form makes it a new action.
  const unansweredKey = useRef<string>()
  const router = useRouter()
  const rejected = useRejectedRequest(router?.params?.resubmit, (previous) =>
    setForm((current) => ({
      uscc: current.uscc || previous.uscc,
      enterpriseName: current.enterpriseName || previous.enterpriseName,
      legalRepName: current.legalRepName || previous.legalRepName,
      legalRepIdNumber: current.legalRepIdNumber,
      applicantRole: previous.applicantRole,
    })),
  )

  const update = (field: keyof VerificationForm, value: string) => {
    unansweredKey.current = undefined
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
    const file = chosen.tempFiles[0] as PickedFile | undefined
    // Taro's H5 chooseImage drops a file the browser cannot decode as an image (a PDF, say) and reports success with
    // no file at all: that is a refused pick, not a cancelled one.
    if (!file) {
      setErrors((current) => ({ ...current, licence: LICENCE_TYPE_MESSAGE }))
      return
    }
    const name = (file.originalFileObj as { name?: string } | undefined)?.name
    const problem = await licenceProblem(file, name)
    if (problem) {
      setErrors((current) => ({ ...current, licence: problem }))
      return
    }
    unansweredKey.current = undefined
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
    const key = unansweredKey.current ?? newIdempotencyKey()
    try {
      await submitVerification(checked.form, { licence: checked.licence }, { idempotencyKey: key })
      Taro.showToast({ title: '已提交，等待审核', icon: 'success' })
      Taro.redirectTo({ url: PROGRESS_PAGE })
    } catch (e) {
      unansweredKey.current = e instanceof ApiError && e.errorCode === CLIENT_ERROR.NETWORK ? key : undefined
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

      {rejected ? (
        <View className='notice notice--warning' data-testid='bind-resubmit-notice'>
          <Text>
            已按上次被驳回的申请填好（驳回原因：{rejected.rejectReason || '未说明'}）。请核对修改，并重新填写法定代表人身份证号、上传营业执照照片。
          </Text>
        </View>
      ) : null}

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
            maxlength={USCC_INPUT_MAX}
            placeholder='请输入 18 位统一社会信用代码'
            value={form.uscc}
            onInput={(e) => update('uscc', normaliseUscc(e.detail.value))}
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
