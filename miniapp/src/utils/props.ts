/**
 * For boolean props of Taro's H5 components (`disabled`, `loading`): React writes `false` onto a web component as the
 * attribute `disabled="false"`, which `[disabled]` selectors (Taro's own stylesheet included) still match. Passing
 * undefined leaves the attribute out; the weapp build reads both the same way.
 */
export const flag = (value: boolean): true | undefined => (value ? true : undefined)
