export default definePageConfig({
  navigationBarTitleText: '认证进度',
  enablePullDownRefresh: true,
})
