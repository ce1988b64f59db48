export default definePageConfig({
  navigationBarTitleText: '融资申请',
})
