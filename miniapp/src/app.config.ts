export default defineAppConfig({
  pages: ['pages/index/index', 'pages/messages/index', 'pages/mine/index'],
  subpackages: [
    { root: 'subpackages/enterprise', pages: ['bind/index', 'progress/index', 'data/index'] },
    { root: 'subpackages/account', pages: ['sessions/index', 'subscriptions/index'] },
    { root: 'subpackages/credit', pages: ['profile/index', 'dispute/index', 'disputes/index'] },
    {
      root: 'subpackages/finance',
      pages: [
        'products/index',
        'product/index',
        'need-form/index',
        'needs/index',
        'need/index',
        'apply/index',
        'applications/index',
        'application/index',
        'access-log/index',
        'grants/index',
      ],
    },
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#1d4ed8',
    navigationBarTitleText: '信易贷',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f6f8',
  },
  // The order matters: services/messages.ts badges the 消息 tab by its index.
  tabBar: {
    color: '#6b7280',
    selectedColor: '#1d4ed8',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      {
        pagePath: 'pages/index/index',
        text: '首页',
        iconPath: 'assets/tabbar/home.png',
        selectedIconPath: 'assets/tabbar/home-active.png',
      },
      {
        pagePath: 'pages/messages/index',
        text: '消息',
        iconPath: 'assets/tabbar/messages.png',
        selectedIconPath: 'assets/tabbar/messages-active.png',
      },
      {
        pagePath: 'pages/mine/index',
        text: '我的',
        iconPath: 'assets/tabbar/mine.png',
        selectedIconPath: 'assets/tabbar/mine-active.png',
      },
    ],
  },
})
