// Compile-time constants of the h5 build, read at run time here. Set before any Taro module loads.
process.env.TARO_ENV = 'h5';
process.env.TARO_PLATFORM = 'web';
process.env.FRAMEWORK = 'react';
process.env.TARO_APP_API_BASE = '';
process.env.SUPPORT_TARO_POLYFILL = 'disabled';
process.env.SUPPORT_DINGTALK_NAVIGATE = 'disabled';

// jsdom lays nothing out, so it has no Element.scrollIntoView; Taro's ScrollView calls it for `scrollIntoView`.
if (typeof Element !== 'undefined' && !Element.prototype.scrollIntoView) {
  Element.prototype.scrollIntoView = function scrollIntoView() {};
}
