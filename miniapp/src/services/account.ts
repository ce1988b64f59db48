import Taro from '@tarojs/taro'
import { reportSubscriptions, type ReportSubscriptionsBody, type ReportSubscriptionsResult } from './generated'

export type SubscribeResult = ReportSubscriptionsBody['results'][string]

/** WeChat accepts at most three template ids per requestSubscribeMessage call. */
export const TEMPLATES_PER_REQUEST = 3

const RESULTS: readonly string[] = ['accept', 'reject', 'ban', 'filter']

/** requestSubscribeMessage's error codes, in words for the user. */
const SUBSCRIBE_FAILURES: Record<number, string> = {
  10002: '网络异常，未能获取订阅消息列表，请稍后重试',
  10003: '网络异常，订阅请求未能发送，请稍后重试',
  10005: '无法显示订阅窗口，请回到小程序后重试',
  20001: '订阅消息模板不存在，请联系平台运营人员',
  20003: '一次订阅的模板数量超过上限',
  20004: '您已关闭订阅消息主开关，请在小程序“设置”中开启后重试',
  20005: '小程序暂时无法发送订阅消息',
}

async function askWechat(tmplIds: string[]): Promise<Taro.requestSubscribeMessage.SuccessCallbackResult> {
  try {
    // entityIds is Alipay's name for the same list; WeChat takes tmplIds only.
    return (await Taro.requestSubscribeMessage({
      tmplIds,
    } as Taro.requestSubscribeMessage.Option)) as Taro.requestSubscribeMessage.SuccessCallbackResult
  } catch (e) {
    const errCode = (e as { errCode?: number }).errCode
    throw new Error((errCode && SUBSCRIBE_FAILURES[errCode]) || '订阅未完成，请稍后重试')
  }
}

/**
 * Asks WeChat for subscription grants (must run inside a user's tap) and reports the answers to the server.
 * Returns the server's running grant counts.
 */
export async function subscribeTemplates(templateIds: string[]): Promise<{
  results: Record<string, SubscribeResult>
  granted: ReportSubscriptionsResult['granted']
}> {
  const tmplIds = templateIds.slice(0, TEMPLATES_PER_REQUEST)
  const answer = await askWechat(tmplIds)
  const results: Record<string, SubscribeResult> = {}
  for (const id of tmplIds) {
    if (RESULTS.includes(answer[id])) results[id] = answer[id] as SubscribeResult
  }
  if (Object.keys(results).length === 0) return { results, granted: {} }
  const { granted } = await reportSubscriptions({ results })
  return { results, granted }
}
