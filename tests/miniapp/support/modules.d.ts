// The React framework runtime ships JavaScript only; these are the parts the tests use.
declare module '@tarojs/plugin-framework-react/dist/runtime' {
  export function createH5NativeComponentConfig(component: unknown, react: unknown, reactDOM: unknown): unknown;
  export const useDidHide: (fn: () => void) => void;
  export const useDidShow: (fn: () => void) => void;
  export const useLaunch: (fn: () => void) => void;
  export const useLoad: (fn: () => void) => void;
  export const usePullDownRefresh: (fn: () => void) => void;
  export const useReachBottom: (fn: () => void) => void;
  export const useReady: (fn: () => void) => void;
  export const useRouter: () => unknown;
  export const useUnload: (fn: () => void) => void;
}
