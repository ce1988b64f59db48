export default definePageConfig({
  navigationBarTitleText: '我的融资申请',
  enablePullDownRefresh: true,
})
