export default definePageConfig({
  navigationBarTitleText: '我的融资需求',
  enablePullDownRefresh: true,
})
