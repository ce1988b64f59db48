/**
 * `@tarojs/taro` as the h5 build sees it: the H5 platform's API module, with the React framework's hooks attached the
 * way @tarojs/plugin-framework-react's api-loader attaches them at build time.
 */
import Taro from '@tarojs/plugin-platform-h5/dist/runtime/apis';
import * as h5Apis from '@tarojs/plugin-platform-h5/dist/runtime/apis';
import * as reactRuntime from '@tarojs/plugin-framework-react/dist/runtime';

export * from '@tarojs/plugin-platform-h5/dist/runtime/apis';
export {
  useDidHide,
  useDidShow,
  useLaunch,
  useLoad,
  usePullDownRefresh,
  useReachBottom,
  useReady,
  useRouter,
  useUnload,
} from '@tarojs/plugin-framework-react/dist/runtime';

// The build's babel-plugin-transform-taroapi turns `Taro.request` into the named export; here the default object
// carries every API instead, which also lets tests replace one with jest.spyOn(Taro, 'request').
const taro = Taro as unknown as Record<string, unknown>;
for (const [name, api] of Object.entries(h5Apis)) if (name !== 'default' && !(name in taro)) taro[name] = api;
for (const [name, hook] of Object.entries(reactRuntime)) if (name.startsWith('use')) taro[name] = hook;

export default Taro;
