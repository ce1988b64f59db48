import { Button, Input, Picker, Text, Textarea, View } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import type { TGuaranteeMethod, TNeedUrgency } from '@xyd/shared'
import { ApiError } from '@xyd/shared'
import { useEffect, useRef, useState } from 'react'
import FormField from '../../../components/FormField'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { BIND_PAGE } from '../../../routes'
import { subscribeTemplates } from '../../../services/account'
import {
  GUARANTEE_METHODS,
  GUARANTEE_METHOD_LABELS,
  NEED_NOTE_MAX,
  NEED_PURPOSES,
  NEED_PURPOSE_LABELS,
  NEED_RECOMMENDATION_TEMPLATE,
  NEED_URGENCIES,
  NEED_URGENCY_LABELS,
  SCALE_LABELS,
  findMyNeed,
  myNeedsUrl,
  needFieldErrorsOf,
  needFormValues,
  needUrl,
  readNeedForm,
  submitNewNeed,
  termOptions,
  updateNeed,
  type MyNeed,
  type NeedField,
  type NeedFieldErrors,
  type NeedFormValues,
  type NeedPrefill,
} from '../../../services/finance'
import { getNeedPrefill, listMyEnterprises, listSubscriptionTemplates } from '../../../services/generated'
import { newIdempotencyKey } from '../../../services/request'
import { isWechat } from '../../../services/session'
import { errorMessage } from '../../../utils/errors'
import { flag } from '../../../utils/props'
import Chips from '../components/Chips'
import './index.css'

interface FormData {
  enterpriseId: string
  prefill: NeedPrefill
  /** Edit mode: the need being changed. */
  need?: MyNeed
  /** need_recommendation's WeChat template, inside WeChat when the server has one. */
  templateId?: string
}

/** The subscription is an offer: without the template list the form still works. */
async function recommendationTemplate(): Promise<string | undefined> {
  if (!isWechat()) return undefined
  try {
    return (await listSubscriptionTemplates()).find((t) => t.key === NEED_RECOMMENDATION_TEMPLATE)?.templateId
  } catch {
    return undefined
  }
}

/** The enterprise the URL names, else the user's first; null when none is bound. */
async function loadForm(requestedId: string | undefined, needId: string | undefined): Promise<FormData | null> {
  const enterpriseId = requestedId ?? (await listMyEnterprises())[0]?.id
  if (!enterpriseId) return null
  const [prefill, need, templateId] = await Promise.all([
    getNeedPrefill({ id: enterpriseId }),
    needId ? findMyNeed(needId, enterpriseId) : Promise.resolve(undefined),
    recommendationTemplate(),
  ])
  return { enterpriseId, prefill, need, templateId }
}

function FirmSummary({ prefill }: { prefill: NeedPrefill }) {
  return (
    <View className='card need-firm' data-testid='need-firm'>
      <Text className='card__title' data-testid='need-firm-name'>
        {prefill.enterpriseName}
      </Text>
      <View className='need-firm__facts'>
        <Text className='need-firm__fact' data-testid='need-firm-region'>
          {prefill.regionName}
        </Text>
        <Text className='need-firm__fact' data-testid='need-firm-industry'>
          {prefill.industryName}
        </Text>
        <Text className='need-firm__fact' data-testid='need-firm-scale'>
          {SCALE_LABELS[prefill.scale]}企业
        </Text>
        <Text className='need-firm__fact' data-testid='need-firm-years'>
          成立 {prefill.yearsEstablished} 年
        </Text>
        <Text className={`tag ${prefill.rating ? 'tag--primary' : ''}`} data-testid='need-firm-rating'>
          {prefill.rating ? `信用评级 ${prefill.rating}` : '暂无信用评级'}
        </Text>
      </View>
      <Text className='muted need-firm__note'>以上信息来自平台登记与信用数据，匹配产品时自动使用，无需填写。</Text>
    </View>
  )
}

const PURPOSE_RANGE = NEED_PURPOSES.map((p) => NEED_PURPOSE_LABELS[p])
const GUARANTEE_CHIPS = GUARANTEE_METHODS.map((m) => ({ value: m, label: GUARANTEE_METHOD_LABELS[m] }))
const URGENCY_CHIPS = NEED_URGENCIES.map((u) => ({ value: u, label: NEED_URGENCY_LABELS[u] }))

/** 一键融资需求: the firm's facts are known, so one screen of what it needs; also edits a need (修改需求). */
export default function NeedForm() {
  const params = useRouter()?.params
  const needId = params?.needId || undefined
  const page = useRemoteData(() => loadForm(params?.enterpriseId || undefined, needId))
  const [values, setValues] = useState<NeedFormValues>()
  const [errors, setErrors] = useState<NeedFieldErrors>({})
  const [formError, setFormError] = useState('')
  const [conflict, setConflict] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  // One key per opening of the form: a double tap, or a retry after a lost answer, files one need. A refused
  // request leaves no record on the server, so the corrected form may go with the same key.
  const idempotencyKey = useRef(newIdempotencyKey())
  const sending = useRef(false)
  const offeredSubscription = useRef(false)

  useDidShow(() => {
    // Back from the open need's page: keep what was typed.
    if (!page.data) page.reload()
  })

  const data = page.data
  // The form starts from the need being edited, else the prefill's suggestion; later loads leave the typing alone.
  useEffect(() => {
    if (data && !values) setValues(needFormValues(data.need ?? data.prefill.suggestion))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data])
  const editing = Boolean(needId)

  const update = <K extends keyof NeedFormValues>(key: K, value: NeedFormValues[K], field: NeedField) => {
    setValues((current) => (current ? { ...current, [key]: value } : current))
    setErrors((current) => ({ ...current, [field]: undefined }))
  }

  const toggleGuarantee = (method: TGuaranteeMethod) => {
    if (!values) return
    const chosen = values.guaranteeMethods.includes(method)
      ? values.guaranteeMethods.filter((m) => m !== method)
      : GUARANTEE_METHODS.filter((m) => m === method || values.guaranteeMethods.includes(m))
    update('guaranteeMethods', chosen, 'guaranteeMethods')
  }

  /** WeChat only lets a tap ask for subscriptions, so this runs first in the submit tap, once per form. */
  const offerSubscription = async (templateId: string | undefined) => {
    if (!templateId || offeredSubscription.current) return
    offeredSubscription.current = true
    try {
      await subscribeTemplates([templateId])
    } catch {
      // Declining or a WeChat error does not stop the need; 订阅设置 can ask again.
    }
  }

  const submit = async () => {
    // Taro's H5 Button still fires onClick while disabled, and two taps can land before a re-render.
    if (sending.current || !data || !values) return
    setFormError('')
    setConflict(false)
    const read = readNeedForm(values)
    if (read.errors) {
      setErrors(read.errors)
      return
    }
    sending.current = true
    setSubmitting(true)
    try {
      await offerSubscription(data.templateId)
      const saved = needId
        ? await updateNeed(data.enterpriseId, needId, read.body)
        : await submitNewNeed(data.enterpriseId, read.body, idempotencyKey.current)
      Taro.showToast({ title: needId ? '需求已修改' : '需求已发布', icon: 'success' })
      Taro.redirectTo({ url: needUrl(saved.id, data.enterpriseId) })
    } catch (e) {
      setErrors(needFieldErrorsOf(e))
      setConflict(e instanceof ApiError && e.status === 409)
      const message = errorMessage(e, '提交失败，请稍后重试')
      setFormError(message)
      Taro.showToast({ title: message, icon: 'none' })
    } finally {
      sending.current = false
      setSubmitting(false)
    }
  }

  const terms = termOptions(values?.termMonths ?? null)
  const termIndex = values?.termMonths ? terms.indexOf(values.termMonths) : -1
  const purposeIndex = values?.purpose ? NEED_PURPOSES.indexOf(values.purpose) : -1
  const openNeedId = data?.prefill.openNeedId && data.prefill.openNeedId !== needId ? data.prefill.openNeedId : null

  return (
    <View className='page need-form'>
      <PageState loading={page.loading} error={page.error} hasData={page.data !== undefined} onRetry={page.reload}>
        {!data ? (
          <View className='card' data-testid='need-unbound'>
            <Text className='card__title'>尚未绑定企业</Text>
            <Text className='card__text'>绑定并认证企业后，即可一键发布融资需求。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : values ? (
          <>
            <FirmSummary prefill={data.prefill} />

            {openNeedId ? (
              <View className='notice notice--warning' data-testid='need-open'>
                <Text>您已有一笔进行中的需求</Text>
                <Text
                  className='need-form__link'
                  data-testid='need-open-link'
                  onClick={() => Taro.navigateTo({ url: needUrl(openNeedId, data.enterpriseId) })}
                >
                  查看该需求 ›
                </Text>
              </View>
            ) : null}

            {editing ? (
              <View className='notice notice--info'>
                <Text>修改后将重新匹配产品，并由融资顾问重新复核。</Text>
              </View>
            ) : null}

            {formError ? (
              <View className='notice notice--error' data-testid='need-form-error'>
                <Text>{formError}</Text>
                {conflict ? (
                  <Text className='need-form__link' data-testid='need-conflict-link' onClick={() => Taro.redirectTo({ url: myNeedsUrl(data.enterpriseId) })}>
                    查看我的融资需求 ›
                  </Text>
                ) : null}
              </View>
            ) : null}

            <View className='card'>
              <FormField testId='need-amount' label='融资金额（万元）' required error={errors.amountFen} hint='1,000 元（0.1 万元）至 100 亿元'>
                <Input
                  className='input'
                  data-testid='need-amount'
                  name='amount'
                  type='digit'
                  placeholder='例如 50'
                  value={values.amountWan}
                  onInput={(e) => update('amountWan', e.detail.value, 'amountFen')}
                />
              </FormField>

              <FormField testId='need-term' label='融资期限' required error={errors.termMonths}>
                <Picker
                  mode='selector'
                  range={terms.map((t) => `${t} 个月`)}
                  value={Math.max(0, termIndex)}
                  data-testid='need-term'
                  onChange={(e) => update('termMonths', terms[Number(e.detail.value)] ?? null, 'termMonths')}
                >
                  <View className='need-picker'>
                    <Text data-testid='need-term-value'>{termIndex >= 0 ? `${terms[termIndex]} 个月` : '请选择'}</Text>
                    <Text className='list-item__arrow'>›</Text>
                  </View>
                </Picker>
              </FormField>

              <FormField testId='need-purpose' label='资金用途' required error={errors.purpose}>
                <Picker
                  mode='selector'
                  range={PURPOSE_RANGE}
                  value={Math.max(0, purposeIndex)}
                  data-testid='need-purpose'
                  onChange={(e) => update('purpose', NEED_PURPOSES[Number(e.detail.value)] ?? null, 'purpose')}
                >
                  <View className='need-picker'>
                    <Text data-testid='need-purpose-value'>{purposeIndex >= 0 ? PURPOSE_RANGE[purposeIndex] : '请选择'}</Text>
                    <Text className='list-item__arrow'>›</Text>
                  </View>
                </Picker>
              </FormField>

              <FormField testId='need-guarantee' label='可接受的担保方式（可多选）' required error={errors.guaranteeMethods}>
                <Chips testId='need-guarantee' options={GUARANTEE_CHIPS} selected={values.guaranteeMethods} onToggle={toggleGuarantee} />
              </FormField>

              <FormField testId='need-rate' label='可接受的最高年利率（%）' error={errors.maxRateBp} hint='选填，不填表示不设上限'>
                <Input
                  className='input'
                  data-testid='need-rate'
                  name='maxRate'
                  type='digit'
                  placeholder='例如 4.35'
                  value={values.maxRatePercent}
                  onInput={(e) => update('maxRatePercent', e.detail.value, 'maxRateBp')}
                />
              </FormField>

              <FormField testId='need-urgency' label='用款时间' required error={errors.urgency}>
                <Chips
                  testId='need-urgency'
                  options={URGENCY_CHIPS}
                  selected={values.urgency ? [values.urgency] : []}
                  onToggle={(u: TNeedUrgency) => update('urgency', u, 'urgency')}
                />
              </FormField>

              <FormField testId='need-note' label='补充说明（可选）' error={errors.note}>
                <Textarea
                  className='need-note'
                  data-testid='need-note'
                  name='note'
                  maxlength={NEED_NOTE_MAX}
                  placeholder='例如：订单回款周期约 3 个月，希望随借随还'
                  value={values.note}
                  onInput={(e) => update('note', e.detail.value, 'note')}
                />
              </FormField>
            </View>

            <Button
              className='btn btn--primary btn--block'
              data-testid='need-submit'
              disabled={flag(submitting)}
              // Only the spinner changes while submitting: changing the label too upsets the H5 button's slot.
              loading={flag(submitting)}
              onClick={submit}
            >
              {editing ? '保存修改' : '发布融资需求'}
            </Button>
          </>
        ) : null}
      </PageState>
    </View>
  )
}
