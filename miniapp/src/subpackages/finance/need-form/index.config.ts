export default definePageConfig({
  navigationBarTitleText: '一键融资需求',
})
