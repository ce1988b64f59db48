import { Button, Input, Picker, Text, Textarea, View } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import type { TDataScope } from '@xyd/shared'
import { useEffect, useRef, useState } from 'react'
import FormField from '../../../components/FormField'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { BIND_PAGE } from '../../../routes'
import {
  APPLICATION_PURPOSE_MAX,
  DATA_SCOPE_DETAILS,
  DATA_SCOPE_LABELS,
  GRANT_MAX_DAYS,
  OVERVIEW_SCOPES,
  RECORD_DETAIL_SCOPES,
  applyFieldErrorsOf,
  applyFormValues,
  grantDates,
  readApplyForm,
  submitNewApplication,
  type ApplyField,
  type ApplyFieldErrors,
  type ApplyFormValues,
  type GrantDates,
} from '../../../services/applications'
import {
  NEED_PURPOSE_LABELS,
  amountRangeText,
  applicationUrl,
  termRangeText,
  type MyNeed,
  type PublicProduct,
} from '../../../services/finance'
import { getMyNeed, getPublicProduct, listMyEnterprises } from '../../../services/generated'
import { newIdempotencyKey } from '../../../services/request'
import { errorMessage } from '../../../utils/errors'
import { flag } from '../../../utils/props'
import CheckRow from '../components/CheckRow'
import ProductFacts from '../components/ProductFacts'
import './index.css'

interface ApplyData {
  enterpriseId: string
  product: PublicProduct
  /** The need the product was recommended for, when the firm applies from it: its amount and term start the form. */
  need?: MyNeed
  dates: GrantDates
}

/** The need only suggests values: without it the form still works. */
async function needOf(enterpriseId: string, needId: string | undefined): Promise<MyNeed | undefined> {
  if (!needId) return undefined
  try {
    return await getMyNeed({ id: enterpriseId, needId })
  } catch {
    return undefined
  }
}

/** The enterprise the URL names, else the user's first; null when none is bound. */
async function loadApply(productId: string, requestedId: string | undefined, needId: string | undefined): Promise<ApplyData | null> {
  const enterpriseId = requestedId ?? (await listMyEnterprises())[0]?.id
  if (!enterpriseId) return null
  const [product, need] = await Promise.all([getPublicProduct({ id: productId }), needOf(enterpriseId, needId)])
  return { enterpriseId, product, need, dates: grantDates() }
}

/** The grant in plain words: who may see what, for what, until when, and what the firm can do about it. */
function GrantSection({
  data,
  values,
  errors,
  onToggleScope,
  onExpiresOn,
}: {
  data: ApplyData
  values: ApplyFormValues
  errors: ApplyFieldErrors
  onToggleScope: (scope: TDataScope) => void
  onExpiresOn: (date: string) => void
}) {
  const { product, dates } = data
  const row = (scope: TDataScope) => (
    <CheckRow
      key={scope}
      testId={`apply-scope-${scope}`}
      checked={values.scopes.includes(scope)}
      label={DATA_SCOPE_LABELS[scope]}
      detail={DATA_SCOPE_DETAILS[scope]}
      onToggle={() => onToggleScope(scope)}
    />
  )
  return (
    <View className='card apply-grant' data-testid='apply-grant'>
      <Text className='card__title'>数据授权</Text>
      <Text className='apply-grant__statement' data-testid='apply-grant-statement'>
        授权 {product.institutionName} 在本申请（{product.name}）的审批和贷后管理中查看以下数据，至 {values.expiresOn || '—'} 止
      </Text>

      <FormField testId='apply-scopes' label='授权查看的数据' required error={errors.scopes}>
        <View data-testid='apply-scopes'>
          {OVERVIEW_SCOPES.map(row)}
          <Text className='section-title' data-testid='apply-scopes-records'>
            信用记录明细（按类别授权）
          </Text>
          {RECORD_DETAIL_SCOPES.map(row)}
        </View>
      </FormField>

      <FormField testId='apply-expires' label='授权截止日期（含当日）' required error={errors.expiresOn} hint={`最长 ${GRANT_MAX_DAYS} 天，最晚 ${dates.max}`}>
        <Picker mode='date' value={values.expiresOn} start={dates.min} end={dates.max} data-testid='apply-expires' onChange={(e) => onExpiresOn(String(e.detail.value))}>
          <View className='apply-picker'>
            <Text data-testid='apply-expires-value'>{values.expiresOn || '请选择'}</Text>
            <Text className='list-item__arrow'>›</Text>
          </View>
        </Picker>
      </FormField>

      <View className='apply-grant__facts' data-testid='apply-grant-facts'>
        <Text className='apply-grant__fact'>· 授权可以随时撤销（在申请详情或“我的授权”中），撤销后机构立即无法再查看。</Text>
        <Text className='apply-grant__fact'>· 机构的每一次查看都会被记录，您可以在“谁查看了我的数据”中看到谁在何时查看了什么。</Text>
        <Text className='apply-grant__fact'>
          · 如机构委托信用服务机构（评级、征信等机构）协助评估，受托机构在本授权的范围和期限内查看数据，平台会告知您。
        </Text>
      </View>
    </View>
  )
}

/** 融资申请: the amount, term and purpose, then the data grant, agreed to by its own tick. */
export default function Apply() {
  const params = useRouter()?.params
  const productId = params?.productId ?? ''
  const needId = params?.needId || undefined
  const page = useRemoteData(() => loadApply(productId, params?.enterpriseId || undefined, needId))
  const [values, setValues] = useState<ApplyFormValues>()
  const [errors, setErrors] = useState<ApplyFieldErrors>({})
  const [formError, setFormError] = useState('')
  const [consentReset, setConsentReset] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  // One key per opening of the form: a double tap, or a retry after a lost answer, files one application. A refused
  // request leaves no record on the server, so the corrected form may go with the same key.
  const idempotencyKey = useRef(newIdempotencyKey())
  const sending = useRef(false)

  useDidShow(() => {
    // Back from another page: keep what was typed.
    if (!page.data) page.reload()
  })

  const data = page.data
  useEffect(() => {
    if (data && !values) {
      const need = data.need
      setValues(
        applyFormValues(data.product, data.dates, need ? { amountFen: need.amountFen, termMonths: need.termMonths, purpose: NEED_PURPOSE_LABELS[need.purpose] } : undefined),
      )
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data])

  const update = <K extends keyof ApplyFormValues>(key: K, value: ApplyFormValues[K], field: ApplyField) => {
    setValues((current) => (current ? { ...current, [key]: value } : current))
    setErrors((current) => ({ ...current, [field]: undefined }))
  }

  /** The consent is to the grant on screen: changing what or how long takes it back until ticked again. */
  const changeGrant = (change: Partial<Pick<ApplyFormValues, 'scopes' | 'expiresOn'>>, field: ApplyField) => {
    if (!values) return
    if (values.consent) setConsentReset(true)
    setValues({ ...values, ...change, consent: false })
    setErrors((current) => ({ ...current, [field]: undefined }))
  }

  const toggleScope = (scope: TDataScope) => {
    if (!values) return
    const scopes = values.scopes.includes(scope) ? values.scopes.filter((s) => s !== scope) : [...values.scopes, scope]
    changeGrant({ scopes }, 'scopes')
  }

  const toggleConsent = () => {
    if (!values) return
    setConsentReset(false)
    update('consent', !values.consent, 'consent')
  }

  const submit = async () => {
    // Taro's H5 Button still fires onClick while disabled, and two taps can land before a re-render.
    if (sending.current || !data || !values) return
    setFormError('')
    const read = readApplyForm(values, data.product, data.dates, needId)
    if (read.errors) {
      setErrors(read.errors)
      const first = Object.values(read.errors)[0]
      if (first) Taro.showToast({ title: first, icon: 'none' })
      return
    }
    sending.current = true
    setSubmitting(true)
    try {
      const saved = await submitNewApplication(data.enterpriseId, read.body, idempotencyKey.current)
      Taro.showToast({ title: '申请已提交', icon: 'success' })
      Taro.redirectTo({ url: applicationUrl(saved.id, data.enterpriseId) })
    } catch (e) {
      setErrors(applyFieldErrorsOf(e))
      const message = errorMessage(e, '提交失败，请稍后重试')
      setFormError(message)
      Taro.showToast({ title: message, icon: 'none' })
    } finally {
      sending.current = false
      setSubmitting(false)
    }
  }

  return (
    <View className='page apply'>
      <PageState loading={page.loading} error={page.error} hasData={page.data !== undefined} onRetry={page.reload}>
        {!data ? (
          <View className='card' data-testid='apply-unbound'>
            <Text className='card__title'>尚未绑定企业</Text>
            <Text className='card__text'>绑定并认证企业后，即可申请金融产品。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : values ? (
          <>
            <View className='card' data-testid='apply-product'>
              <Text className='apply__product' data-testid='apply-product-name'>
                {data.product.name}
              </Text>
              <Text className='apply__institution' data-testid='apply-institution'>
                {data.product.institutionName}
              </Text>
              <ProductFacts product={data.product} />
              {data.need ? <Text className='muted apply__from-need'>根据您的融资需求推荐，已按需求填入金额和期限。</Text> : null}
            </View>

            {formError ? (
              <View className='notice notice--error' data-testid='apply-form-error'>
                <Text>{formError}</Text>
              </View>
            ) : null}

            <View className='card'>
              <Text className='card__title'>申请信息</Text>
              <FormField
                testId='apply-amount'
                label='申请金额（万元）'
                required
                error={errors.amountFen}
                hint={`本产品额度 ${amountRangeText(data.product.amountMinFen, data.product.amountMaxFen)}`}
              >
                <Input
                  className='input'
                  data-testid='apply-amount'
                  name='amount'
                  type='digit'
                  placeholder='例如 50'
                  value={values.amountWan}
                  onInput={(e) => update('amountWan', e.detail.value, 'amountFen')}
                />
              </FormField>

              <FormField
                testId='apply-term'
                label='申请期限（月）'
                required
                error={errors.termMonths}
                hint={`本产品期限 ${termRangeText(data.product.termMinMonths, data.product.termMaxMonths)}`}
              >
                <Input
                  className='input'
                  data-testid='apply-term'
                  name='term'
                  type='number'
                  placeholder='例如 12'
                  value={values.termMonths}
                  onInput={(e) => update('termMonths', e.detail.value, 'termMonths')}
                />
              </FormField>

              <FormField testId='apply-purpose' label='资金用途（可选）' error={errors.purpose}>
                <Textarea
                  className='apply-purpose'
                  data-testid='apply-purpose'
                  name='purpose'
                  maxlength={APPLICATION_PURPOSE_MAX}
                  placeholder='例如：采购原材料，订单回款约 3 个月'
                  value={values.purpose}
                  onInput={(e) => update('purpose', e.detail.value, 'purpose')}
                />
              </FormField>
            </View>

            <GrantSection
              data={data}
              values={values}
              errors={errors}
              onToggleScope={toggleScope}
              onExpiresOn={(date) => changeGrant({ expiresOn: date }, 'expiresOn')}
            />

            <View className={`card apply-consent${errors.consent ? ' apply-consent--invalid' : ''}`}>
              <CheckRow testId='apply-consent' checked={values.consent} label='我已阅读并同意上述数据授权' onToggle={toggleConsent} />
              {consentReset && !values.consent ? (
                <Text className='muted apply-consent__hint' data-testid='apply-consent-reset'>
                  授权内容已修改，请重新确认。
                </Text>
              ) : null}
              {errors.consent ? (
                <Text className='form-field__error' data-testid='apply-consent-error'>
                  {errors.consent}
                </Text>
              ) : null}
            </View>

            <Button
              className='btn btn--primary btn--block'
              data-testid='apply-submit'
              disabled={flag(submitting)}
              // Only the spinner changes while submitting: changing the label too upsets the H5 button's slot.
              loading={flag(submitting)}
              onClick={submit}
            >
              提交申请
            </Button>
          </>
        ) : null}
      </PageState>
    </View>
  )
}
