export default definePageConfig({
  navigationBarTitleText: '信用画像',
  enablePullDownRefresh: true,
})
