/** Page paths for navigation, kept beside app.config.ts's page list. */
export const HOME_PAGE = '/pages/index/index'
export const MESSAGES_PAGE = '/pages/messages/index'
export const MINE_PAGE = '/pages/mine/index'
export const BIND_PAGE = '/subpackages/enterprise/bind/index'
export const PROGRESS_PAGE = '/subpackages/enterprise/progress/index'
export const SESSIONS_PAGE = '/subpackages/account/sessions/index'
export const SUBSCRIPTIONS_PAGE = '/subpackages/account/subscriptions/index'
