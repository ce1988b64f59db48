export default definePageConfig({
  navigationBarTitleText: '信易贷',
  enablePullDownRefresh: true,
})
