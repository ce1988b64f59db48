import { Text, View } from '@tarojs/components'
import type { ReactNode } from 'react'
import { maskUscc, memberRoleLabel } from '../../utils/format'
import './index.css'

interface Props {
  name: string
  uscc: string
  memberRole: string
  children?: ReactNode
}

/** One bound enterprise: its name, masked credit code and the user's role in it. */
export default function EnterpriseCard({ name, uscc, memberRole, children }: Props) {
  return (
    <View className='card enterprise-card' data-testid='enterprise-card'>
      <View className='enterprise-card__head'>
        <Text className='enterprise-card__name' data-testid='enterprise-name'>
          {name}
        </Text>
        <Text className='tag tag--primary' data-testid='enterprise-role'>
          {memberRoleLabel(memberRole)}
        </Text>
      </View>
      <Text className='enterprise-card__uscc' data-testid='enterprise-uscc'>
        统一社会信用代码 {maskUscc(uscc)}
      </Text>
      {children}
    </View>
  )
}
