import type { TRegion } from '@xyd/shared';
import { Cascader } from 'antd';
import { useEffect, useState } from 'react';
import { listRegions } from '@/services/generated';

interface RegionOption {
  value: string;
  label: string;
  isLeaf: boolean;
  children?: RegionOption[];
}

function toOption(region: TRegion): RegionOption {
  return { value: region.code, label: region.name, isLeaf: region.level === 'district' };
}

/** The chain of option values from a root down to `code`, or [] if it is not loaded. */
export function findPath(options: RegionOption[], code: string): string[] {
  for (const option of options) {
    if (option.value === code) return [option.value];
    if (option.children) {
      const below = findPath(option.children, code);
      if (below.length) return [option.value, ...below];
    }
  }
  return [];
}

/** GB/T 2260 codes nest by prefix: a province shares 2 digits with its descendants, a city 4. */
function ancestorOf(options: RegionOption[], code: string, depth: number): RegionOption | undefined {
  const digits = depth === 0 ? 2 : 4;
  return options.find((o) => o.value !== code && o.value.slice(0, digits) === code.slice(0, digits));
}

function withChildren(options: RegionOption[], parent: string, children: RegionOption[]): RegionOption[] {
  return options.map((o) => {
    if (o.value === parent) return { ...o, children, isLeaf: children.length === 0 };
    if (o.children) return { ...o, children: withChildren(o.children, parent, children) };
    return o;
  });
}

export interface RegionPickerProps {
  value?: string | null;
  onChange?: (code: string | undefined) => void;
  placeholder?: string;
  id?: string;
  disabled?: boolean;
  'aria-label'?: string;
}

/**
 * A province → city → district picker fed lazily from GET /api/v1/regions. Any level may be chosen, because
 * organisations and scoped users can sit at a province or city as well as a district.
 */
export default function RegionPicker({ value, onChange, placeholder = '请选择地区', id, disabled, ...rest }: RegionPickerProps) {
  const [options, setOptions] = useState<RegionOption[]>([]);

  // Load provinces, and the branches leading to the current value so that it shows as names.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        let next = (await listRegions()).map(toOption);
        // Walk down (province, then city) until the value itself is loaded; parentCode decides the real nesting.
        let level = next;
        for (let depth = 0; value && depth < 2 && !level.some((o) => o.value === value); depth += 1) {
          const parent = ancestorOf(level, value, depth);
          if (!parent) break;
          const children = (await listRegions({ parent: parent.value })).map(toOption);
          next = withChildren(next, parent.value, children);
          level = children;
        }
        if (!cancelled) setOptions(next);
      } catch {
        // The global handler has shown why; the picker stays empty.
      }
    })();
    return () => {
      cancelled = true;
    };
    // Only on mount: later values are picked from options already loaded.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const loadData = async (selected: RegionOption[]) => {
    const target = selected[selected.length - 1];
    if (!target || target.children) return;
    try {
      const children = (await listRegions({ parent: target.value })).map(toOption);
      setOptions((current) => withChildren(current, target.value, children));
    } catch {
      // shown globally
    }
  };

  const path = value ? findPath(options, value) : [];
  return (
    <Cascader<RegionOption>
      id={id}
      aria-label={rest['aria-label']}
      disabled={disabled}
      options={options}
      value={path.length ? path : undefined}
      loadData={(selected) => loadData(selected as RegionOption[])}
      changeOnSelect
      allowClear
      showSearch={false}
      placeholder={placeholder}
      onChange={(codes) => onChange?.(codes && codes.length ? String(codes[codes.length - 1]) : undefined)}
      style={{ width: '100%' }}
    />
  );
}
