import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import PageState from '../../../components/PageState'
import { useRemoteData } from '../../../hooks/useRemoteData'
import { BIND_PAGE } from '../../../routes'
import { APPLICATION_STATUS_LABELS, applicationStatusTone, type ApplicationSummary } from '../../../services/applications'
import { tagClass } from '../../../services/credit'
import { PRODUCTS_PAGE, accessLogUrl, applicationUrl, fenToWan, myGrantsUrl } from '../../../services/finance'
import { listMyApplications, listMyEnterprises } from '../../../services/generated'
import { formatDateTime } from '../../../utils/format'
import './index.css'

interface ApplicationsData {
  enterpriseId: string
  applications: ApplicationSummary[]
}

/** The enterprise the URL names, else the user's first; undefined when none is bound. */
async function loadApplications(requestedId: string | undefined): Promise<ApplicationsData | undefined> {
  const enterpriseId = requestedId ?? (await listMyEnterprises())[0]?.id
  return enterpriseId ? { enterpriseId, applications: await listMyApplications({ id: enterpriseId }) } : undefined
}

function ApplicationCard({ application }: { application: ApplicationSummary }) {
  return (
    <View
      className='card application-item'
      data-testid='application-item'
      data-id={application.id}
      data-status={application.status}
      onClick={() => Taro.navigateTo({ url: applicationUrl(application.id, application.enterpriseId) })}
    >
      <View className='application-item__head'>
        <Text className='application-item__product' data-testid='application-item-product'>
          {application.productName}
        </Text>
        <Text className={tagClass(applicationStatusTone(application.status))} data-testid='application-item-status'>
          {APPLICATION_STATUS_LABELS[application.status]}
        </Text>
      </View>
      <Text className='application-item__institution' data-testid='application-item-institution'>
        {application.institutionName}
      </Text>
      <Text className='application-item__amount' data-testid='application-item-amount'>
        {fenToWan(application.amountFen)} 万元 · {application.termMonths} 个月
      </Text>
      <Text className='muted application-item__time' data-testid='application-item-submitted'>
        提交于 {formatDateTime(application.submittedAt)}
      </Text>
    </View>
  )
}

/** 我的融资申请: the enterprise's applications with where each stands, and the way to its data grants and their log. */
export default function MyApplications() {
  const requestedId = useRouter()?.params?.enterpriseId || undefined
  const page = useRemoteData(() => loadApplications(requestedId))

  useDidShow(() => {
    page.reload()
  })

  usePullDownRefresh(async () => {
    await page.reload()
    Taro.stopPullDownRefresh()
  })

  const data = page.data

  return (
    <View className='page my-applications'>
      <PageState loading={page.loading} error={page.error} hasData={page.data !== undefined} onRetry={page.reload}>
        {!data ? (
          <View className='card' data-testid='applications-unbound'>
            <Text className='card__title'>尚未绑定企业</Text>
            <Text className='card__text'>绑定并认证企业后，即可申请金融产品并跟踪审批进度。</Text>
            <Button className='btn btn--primary btn--block' onClick={() => Taro.navigateTo({ url: BIND_PAGE })}>
              绑定企业
            </Button>
          </View>
        ) : (
          <>
            <View className='applications-links'>
              <View className='list-item' data-testid='applications-access-log' onClick={() => Taro.navigateTo({ url: accessLogUrl(data.enterpriseId) })}>
                <Text className='list-item__label'>谁查看了我的数据</Text>
                <Text className='list-item__arrow'>›</Text>
              </View>
              <View className='list-item' data-testid='applications-grants' onClick={() => Taro.navigateTo({ url: myGrantsUrl(data.enterpriseId) })}>
                <Text className='list-item__label'>我的授权</Text>
                <Text className='list-item__arrow'>›</Text>
              </View>
            </View>

            <Text className='section-title'>融资申请（{data.applications.length}）</Text>
            {data.applications.length === 0 ? (
              <View className='card' data-testid='applications-empty'>
                <Text className='card__title'>暂无融资申请</Text>
                <Text className='card__text'>在金融产品或融资需求的推荐产品中点击“申请”，即可向金融机构提交申请。</Text>
                <Button className='btn btn--primary btn--block' data-testid='applications-products' onClick={() => Taro.navigateTo({ url: PRODUCTS_PAGE })}>
                  浏览金融产品
                </Button>
              </View>
            ) : (
              data.applications.map((application) => <ApplicationCard key={application.id} application={application} />)
            )}
          </>
        )}
      </PageState>
    </View>
  )
}
