import { Button, Image, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { ApiError, CLIENT_ERROR } from '@xyd/shared'
import { useRef, useState } from 'react'
import FormField from '../../../components/FormField'
import {
  DISPUTE_DEADLINE_DAYS,
  DISPUTE_REASON_MAX,
  announceDisputeRaised,
  asCategory,
  disputeReasonProblem,
  evidenceProblem,
  myDisputesUrl,
  raiseDispute,
  recordToDisputeById,
  type EvidenceFile,
} from '../../../services/credit'
import { CATEGORY_LABELS, recordPeriod } from '../../../services/credit-data'
import { newIdempotencyKey } from '../../../services/request'
import { errorMessage } from '../../../utils/errors'
import { formatDateTime } from '../../../utils/format'
import { flag } from '../../../utils/props'
import './index.css'

type FieldErrors = Partial<Record<'reason' | 'evidence', string>>

/** What the user is disputing: the record 我的数据 handed over, or only its ids after a reload. */
function RecordSummary({ recordId, category }: { recordId: string; category: string | undefined }) {
  const record = recordToDisputeById(recordId)
  const known = asCategory(record?.category ?? category)
  return (
    <View className='card dispute-record' data-testid='dispute-record'>
      <View className='dispute-record__head'>
        <Text className='card__title'>{known ? CATEGORY_LABELS[known] : '信用记录'}</Text>
        {record ? <Text className='muted'>{recordPeriod(record)}</Text> : null}
      </View>
      {record ? (
        <>
          {record.fields.map((field, index) => (
            <View key={`${field.label}-${index}`} className='dispute-record__field' data-testid='dispute-record-field'>
              <Text className='dispute-record__label'>{field.label}</Text>
              <Text className='dispute-record__value'>{field.value}</Text>
            </View>
          ))}
          <Text className='muted dispute-record__source'>
            来源：{record.sourceName || '未知'} · 接收于 {formatDateTime(record.receivedAt)}
          </Text>
        </>
      ) : (
        <Text className='card__text'>记录编号 {recordId}</Text>
      )}
    </View>
  )
}

/** 提出异议: the firm disputes one record with a reason and, optionally, a photo of its evidence. */
export default function RaiseDispute() {
  const router = useRouter()
  const enterpriseId = router?.params?.enterpriseId ?? ''
  const recordId = router?.params?.recordId ?? ''
  const [reason, setReason] = useState('')
  const [evidence, setEvidence] = useState<EvidenceFile | null>(null)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [formError, setFormError] = useState('')
  const [conflict, setConflict] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  // A submission that got no answer is retried with the same key, so the server files the dispute once.
  const unansweredKey = useRef<string>()

  const updateReason = (value: string) => {
    unansweredKey.current = undefined
    setReason(value)
    setErrors((current) => ({ ...current, reason: undefined }))
  }

  const chooseEvidence = async () => {
    let chosen: Taro.chooseImage.SuccessCallbackResult
    try {
      chosen = await Taro.chooseImage({ count: 1, sizeType: ['compressed'], sourceType: ['album', 'camera'] })
    } catch {
      return // cancelled
    }
    const picked = chosen.tempFiles[0] as (Taro.chooseImage.ImageFile & { originalFileObj?: { name?: string } }) | undefined
    if (!picked) {
      setErrors((current) => ({ ...current, evidence: '无法读取所选图片，请换一张' }))
      return
    }
    const file: EvidenceFile = { path: picked.path, size: picked.size, type: picked.type, name: picked.originalFileObj?.name }
    const problem = evidenceProblem(file)
    setErrors((current) => ({ ...current, evidence: problem ?? undefined }))
    if (problem) return
    unansweredKey.current = undefined
    setEvidence(file)
  }

  const removeEvidence = () => {
    unansweredKey.current = undefined
    setEvidence(null)
  }

  const submit = async () => {
    if (submitting) return
    setFormError('')
    setConflict(false)
    const problem = disputeReasonProblem(reason)
    if (problem) {
      setErrors((current) => ({ ...current, reason: problem }))
      return
    }
    setSubmitting(true)
    const key = unansweredKey.current ?? newIdempotencyKey()
    try {
      const dispute = await raiseDispute(
        enterpriseId,
        { recordId, reason: reason.trim() },
        evidence ? { path: evidence.path, name: evidence.name } : null,
        key,
      )
      announceDisputeRaised(dispute)
      Taro.showToast({ title: '异议已提交', icon: 'success' })
      Taro.redirectTo({ url: myDisputesUrl(enterpriseId) })
    } catch (e) {
      unansweredKey.current = e instanceof ApiError && e.errorCode === CLIENT_ERROR.NETWORK ? key : undefined
      if (e instanceof ApiError) {
        const fields = e.fieldMessages()
        setErrors({ reason: fields.reason, evidence: fields.evidence })
        setConflict(e.status === 409)
      }
      const message = errorMessage(e, '提交失败，请稍后重试')
      setFormError(message)
      Taro.showToast({ title: message, icon: 'none' })
    } finally {
      setSubmitting(false)
    }
  }

  const length = reason.trim().length

  return (
    <View className='page dispute'>
      <View className='notice notice--info'>
        <Text>
          认为这条记录有误，可以提出异议。数据提供单位或融资顾问将在 {DISPUTE_DEADLINE_DAYS} 日内核查处理，处理期间记录标注为“异议中”，处理结果会通知您。
        </Text>
      </View>

      <RecordSummary recordId={recordId} category={router?.params?.category} />

      {formError ? (
        <View className='notice notice--error' data-testid='dispute-form-error'>
          <Text>{formError}</Text>
          {conflict ? (
            <Text className='dispute-form-error__link' data-testid='dispute-conflict-link' onClick={() => Taro.redirectTo({ url: myDisputesUrl(enterpriseId) })}>
              查看我的异议 ›
            </Text>
          ) : null}
        </View>
      ) : null}

      <View className='card'>
        <FormField testId='dispute-reason' label='异议理由' required error={errors.reason} hint='请说明记录哪里有误，至少 5 个字'>
          <Textarea
            className='dispute-reason'
            data-testid='dispute-reason'
            name='reason'
            maxlength={DISPUTE_REASON_MAX}
            placeholder='例如：该处罚已于 2025 年 8 月撤销，附撤销决定书'
            value={reason}
            onInput={(e) => updateReason(e.detail.value)}
          />
          <Text className={`dispute-reason__count${length > DISPUTE_REASON_MAX ? ' dispute-reason__count--over' : ''}`} data-testid='dispute-reason-count'>
            {length}/{DISPUTE_REASON_MAX}
          </Text>
        </FormField>

        <FormField testId='dispute-evidence' label='证明材料（可选）' error={errors.evidence} hint='JPG 或 PNG 照片，不超过 5 MB'>
          {evidence ? (
            <View className='dispute-evidence'>
              <Image className='dispute-evidence__preview' data-testid='dispute-evidence-preview' src={evidence.path} mode='aspectFit' onClick={chooseEvidence} />
              <Button className='btn btn--ghost' size='mini' data-testid='dispute-evidence-remove' onClick={removeEvidence}>
                移除
              </Button>
            </View>
          ) : null}
          <Button className='btn btn--ghost' size='mini' data-testid='dispute-evidence' onClick={chooseEvidence}>
            {evidence ? '重新选择' : '上传照片'}
          </Button>
        </FormField>
      </View>

      <Button
        className='btn btn--primary btn--block'
        data-testid='dispute-submit'
        disabled={flag(submitting || !recordId || !enterpriseId)}
        // Only the spinner changes while submitting: changing the label too upsets the H5 button's slot.
        loading={flag(submitting)}
        onClick={submit}
      >
        提交异议
      </Button>
    </View>
  )
}
