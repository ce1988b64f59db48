import type { TRegion } from '@xyd/shared';
import { Space, Tag } from 'antd';
import { useLoad } from '@/hooks/useLoad';
import { listRegions } from '@/services/generated';

/**
 * The names of region codes, as "浙江省 / 杭州市 / 西湖区": walks down from the provinces the way the region picker
 * does (a code shares 2 digits with its province and 4 with its city; parentCode decides the real nesting, which
 * skips a level for some municipalities). Unknown codes are shown as they are.
 */
export async function regionPaths(codes: readonly string[]): Promise<Map<string, string>> {
  const children = new Map<string, Promise<TRegion[]>>();
  const childrenOf = (parent: string | null) => {
    const key = parent ?? '';
    if (!children.has(key)) children.set(key, listRegions(parent ? { parent } : {}));
    return children.get(key)!;
  };
  const out = new Map<string, string>();
  await Promise.all(
    codes.map(async (code) => {
      const names: string[] = [];
      let parent: string | null = null;
      for (let depth = 0; depth < 3; depth += 1) {
        const level: TRegion[] = await childrenOf(parent);
        const exact = level.find((r) => r.code === code);
        if (exact) {
          names.push(exact.name);
          out.set(code, names.join(' / '));
          return;
        }
        const digits = depth === 0 ? 2 : 4;
        const ancestor = level.find((r) => r.code.slice(0, digits) === code.slice(0, digits));
        if (!ancestor || ancestor.level === 'district') break;
        names.push(ancestor.name);
        parent = ancestor.code;
      }
      out.set(code, code);
    }),
  );
  return out;
}

/** Region codes as tags with their names; empty: nationwide. */
export default function RegionNames({ codes }: { codes: readonly string[] }) {
  const key = codes.join(',');
  const names = useLoad(() => (codes.length ? regionPaths(codes) : Promise.resolve(new Map<string, string>())), [key]);
  if (codes.length === 0) return <span>全国</span>;
  return (
    <Space size={[4, 4]} wrap data-testid="product-region-names">
      {codes.map((code) => (
        <Tag key={code}>{names.data?.get(code) ?? code}</Tag>
      ))}
    </Space>
  );
}
