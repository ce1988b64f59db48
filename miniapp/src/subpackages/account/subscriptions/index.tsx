import { Button, Text, View } from '@tarojs/components'
import { useDidShow } from '@tarojs/taro'
import type { TSubscriptionTemplate } from '@xyd/shared'
import { useState } from 'react'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { TEMPLATES_PER_REQUEST, subscribeTemplates, type SubscribeResult } from '../../../services/account'
import { listSubscriptionTemplates } from '../../../services/generated'
import { isWechat } from '../../../services/session'
import { errorMessage } from '../../../utils/errors'
import { flag } from '../../../utils/props'
import './index.css'

const RESULT_LABELS: Record<SubscribeResult, string> = {
  accept: '已订阅',
  reject: '已拒绝',
  ban: '已被封禁',
  filter: '已被过滤',
}

/** WeChat takes at most three templates per request, and each request needs its own tap. */
function groupsOf(templates: TSubscriptionTemplate[]): TSubscriptionTemplate[][] {
  const groups: TSubscriptionTemplate[][] = []
  for (let i = 0; i < templates.length; i += TEMPLATES_PER_REQUEST) {
    groups.push(templates.slice(i, i + TEMPLATES_PER_REQUEST))
  }
  return groups
}

export default function Subscriptions() {
  const templates = useRemoteData(listSubscriptionTemplates)
  const [results, setResults] = useState<Record<string, SubscribeResult>>({})
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<{ tone: 'info' | 'error'; text: string } | null>(null)
  const inWechat = isWechat()

  useDidShow(() => {
    templates.reload()
  })

  const subscribe = async (group: TSubscriptionTemplate[]) => {
    // Taro's H5 Button still fires onClick while disabled.
    if (busy || !inWechat) return
    setBusy(true)
    setOutcome(null)
    try {
      const answer = await subscribeTemplates(group.map((t) => t.templateId))
      setResults((current) => ({ ...current, ...answer.results }))
      templates.setData((current) =>
        current?.map((t) => (t.templateId in answer.granted ? { ...t, granted: answer.granted[t.templateId] } : t)),
      )
      const accepted = Object.values(answer.results).filter((r) => r === 'accept').length
      setOutcome({
        tone: 'info',
        text: accepted > 0 ? `已订阅 ${accepted} 项通知，每次订阅可接收一条对应通知。` : '您未订阅任何通知。',
      })
    } catch (e) {
      setOutcome({ tone: 'error', text: errorMessage(e, '订阅失败，请稍后重试') })
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='page subscriptions'>
      <View className='notice notice--info'>
        <Text>订阅后，认证结果、融资进度和风险提示会通过微信服务通知发送给您。微信规定每次订阅只能接收一条通知，可多次订阅。</Text>
      </View>

      {inWechat ? null : (
        <View className='notice notice--error' data-testid='subscribe-unavailable'>
          <Text>当前为网页版，无法订阅微信消息。请在微信中打开“信易贷”小程序进行订阅；站内消息不受影响。</Text>
        </View>
      )}

      {outcome ? (
        <View className={`notice notice--${outcome.tone}`} data-testid='subscribe-outcome'>
          <Text>{outcome.text}</Text>
        </View>
      ) : null}

      <PageState
        loading={templates.loading}
        error={templates.error}
        hasData={templates.data !== undefined}
        onRetry={templates.reload}
      >
        {templates.data && templates.data.length === 0 ? (
          <View className='card'>
            <Text className='card__text'>暂无可订阅的通知。</Text>
          </View>
        ) : null}
        {groupsOf(templates.data ?? []).map((group, index) => (
          <View key={group[0].templateId} className='card'>
            {group.map((template) => (
              <View
                key={template.templateId}
                className='subscription'
                data-testid='subscription-template'
                data-template-id={template.templateId}
              >
                <View>
                  <Text className='subscription__title'>{template.title}</Text>
                  <Text className='muted subscription__granted' data-testid='subscription-granted'>
                    剩余可接收 {template.granted} 条
                  </Text>
                </View>
                {results[template.templateId] ? (
                  <Text
                    className={`tag ${results[template.templateId] === 'accept' ? 'tag--success' : ''}`}
                    data-testid='subscription-result'
                  >
                    {RESULT_LABELS[results[template.templateId]]}
                  </Text>
                ) : null}
              </View>
            ))}
            <Button
              className='btn btn--primary btn--block'
              data-testid={`subscribe-button-${index}`}
              disabled={flag(!inWechat || busy)}
              onClick={() => subscribe(group)}
            >
              {inWechat ? '订阅以上通知' : '请在微信中订阅'}
            </Button>
          </View>
        ))}
      </PageState>
    </View>
  )
}
