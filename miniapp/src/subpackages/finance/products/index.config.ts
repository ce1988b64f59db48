export default definePageConfig({
  navigationBarTitleText: '金融产品',
  enablePullDownRefresh: true,
  onReachBottomDistance: 100,
})
