import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { BIND_PAGE } from '../../../routes'
import {
  DATA_SCOPE_LABELS,
  GRANT_STATUS_LABELS,
  STALE_MESSAGE,
  confirmRevokeGrant,
  isStale,
  revokeGrant,
  scopesText,
  type Grant,
} from '../../../services/applications'
import { tagClass } from '../../../services/credit'
import { accessLogUrl, applicationUrl } from '../../../services/finance'
import { listMyEnterprises, listMyGrants } from '../../../services/generated'
import { errorMessage } from '../../../utils/errors'
import { formatDateTime } from '../../../utils/format'
import { flag } from '../../../utils/props'
import './index.css'

interface GrantsData {
  enterpriseId: string
  grants: Grant[]
}

/** The enterprise the URL names, else the user's first; undefined when none is bound. */
async function loadGrants(requestedId: string | undefined): Promise<GrantsData | undefined> {
  const enterpriseId = requestedId ?? (await listMyEnterprises())[0]?.id
  return enterpriseId ? { enterpriseId, grants: await listMyGrants({ id: enterpriseId }) } : undefined
}

/** 我的授权: every data grant the enterprise made, with its status, and 撤销 for those still in force. */
export default function MyGrants() {
  const requestedId = useRouter()?.params?.enterpriseId || undefined
  const page = useRemoteData(() => loadGrants(requestedId))
  const [revoking, setRevoking] = useState<string | null>(null)

  useDidShow(() => {
    page.reload()
  })

  usePullDownRefresh(async () => {
    await page.reload()
    Taro.stopPullDownRefresh()
  })

  const revoke = async (grant: Grant) => {
    if (revoking || !(await confirmRevokeGrant(grant.organisationName))) return
    setRevoking(grant.id)
    try {
      await revokeGrant({ id: grant.applicationId, enterpriseId: grant.enterpriseId })
      Taro.showToast({ title: '授权已撤销', icon: 'success' })
      await page.reload()
    } catch (e) {
      if (isStale(e)) {
        await page.reload()
        Taro.showToast({ title: STALE_MESSAGE, icon: 'none' })
      } else {
        Taro.showToast({ title: errorMessage(e, '撤销失败，请稍后重试'), icon: 'none' })
      }
    } finally {
      setRevoking(null)
    }
  }

  const data = page.data

  return (
    <View className='page my-grants'>
      <PageState loading={page.loading} error={page.error} hasData={page.data !== undefined} onRetry={page.reload}>
        {!data ? (
          <View className='card' data-testid='grants-unbound'>
            <Text className='card__title'>尚未绑定企业</Text>
            <Text className='card__text'>绑定并认证企业后，可以在这里管理本企业的数据授权。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : (
          <>
            <View className='notice notice--info'>
              <Text>授权可随时撤销，撤销后机构立即无法再查看本企业数据。</Text>
              <Text className='grants__link' data-testid='grants-access-log' onClick={() => Taro.navigateTo({ url: accessLogUrl(data.enterpriseId) })}>
                谁查看了我的数据 ›
              </Text>
            </View>
            {data.grants.length === 0 ? (
              <View className='card' data-testid='grants-empty'>
                <Text className='card__title'>暂无数据授权</Text>
                <Text className='card__text'>申请金融产品时，您可以授权该机构在审批和贷后管理中查看指定数据。</Text>
              </View>
            ) : (
              data.grants.map((grant) => (
                <View key={grant.id} className='card grant-item' data-testid='grant-item' data-id={grant.id} data-status={grant.status}>
                  <View className='grant-item__head'>
                    <Text className='grant-item__organisation' data-testid='grant-item-organisation'>
                      {grant.organisationName}
                    </Text>
                    <Text className={tagClass(grant.status === 'active' ? 'success' : null)} data-testid='grant-item-status'>
                      {GRANT_STATUS_LABELS[grant.status]}
                    </Text>
                  </View>
                  {grant.purpose ? <Text className='grant-item__purpose'>{grant.purpose}</Text> : null}
                  <Text className='grant-item__line' data-testid='grant-item-scopes'>
                    授权数据：{scopesText(grant.scopes, DATA_SCOPE_LABELS)}
                  </Text>
                  <Text className='grant-item__line' data-testid='grant-item-expires'>
                    有效期至：{grant.expiresOn}
                  </Text>
                  <Text className='muted grant-item__line'>
                    {formatDateTime(grant.grantedAt)} 由 {grant.grantedByName} 授权
                    {grant.revokedAt ? `；${formatDateTime(grant.revokedAt)}${grant.revokedByName ? ` 由 ${grant.revokedByName}` : ''} 撤销` : ''}
                  </Text>
                  <View className='grant-item__actions'>
                    <Text
                      className='grant-item__link'
                      data-testid='grant-item-application'
                      onClick={() => Taro.navigateTo({ url: applicationUrl(grant.applicationId, grant.enterpriseId) })}
                    >
                      查看申请 ›
                    </Text>
                    {grant.status === 'active' ? (
                      <Button
                        className='btn btn--ghost grant-item__revoke'
                        size='mini'
                        data-testid='grant-item-revoke'
                        disabled={flag(revoking !== null)}
                        loading={flag(revoking === grant.id)}
                        onClick={() => revoke(grant)}
                      >
                        撤销
                      </Button>
                    ) : null}
                  </View>
                </View>
              ))
            )}
          </>
        )}
      </PageState>
    </View>
  )
}
