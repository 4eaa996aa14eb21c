/**
 * The emulator tenant's store directory: 64 stores (a tenant's notes say `pageSize=100` returned all 64 of its
 * stores in one page), ids 174679–174742 so the ids the demo and the tests use are listed. Deterministic, with
 * Chinese names, regions (organizeName), addresses and coordinates, and a mix of openStatus:
 * - `1` for most stores, `0` for every 8th from the 6th (i % 8 === 5), `2` for i % 16 === 11 (neither);
 * - the second-to-last store (174741) has no address and no coordinates, the last one (174742) no openStatus:
 *   what a gateway must tolerate.
 */

/** One store as the emulator holds it (before rendering: numbers may go out as strings). */
export interface DirectoryStoreData {
  id: number;
  name: string;
  organizeId: number;
  organizeName: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  openStatus: number | null;
}

export const FIRST_DIRECTORY_STORE_ID = 174679;
export const DIRECTORY_SIZE = 64;

const REGIONS = [
  { organizeId: 9001, organizeName: '华东区', cities: ['上海', '杭州', '南京', '苏州'] },
  { organizeId: 9002, organizeName: '华南区', cities: ['广州', '深圳', '厦门'] },
  { organizeId: 9003, organizeName: '华北区', cities: ['北京', '天津'] },
  { organizeId: 9004, organizeName: '西南区', cities: ['成都', '重庆'] },
] as const;

const CITY_CENTRES: Record<string, [number, number]> = {
  上海: [31.2304, 121.4737],
  杭州: [30.2741, 120.1551],
  南京: [32.0603, 118.7969],
  苏州: [31.299, 120.5853],
  广州: [23.1291, 113.2644],
  深圳: [22.5431, 114.0579],
  厦门: [24.4798, 118.0894],
  北京: [39.9042, 116.4074],
  天津: [39.0842, 117.2009],
  成都: [30.5728, 104.0668],
  重庆: [29.563, 106.5516],
};

const CITIES = REGIONS.flatMap((region) => region.cities.map((city) => ({ city, region })));
const MALLS = ['万达广场', '银泰城', '大悦城', '万象城', '吾悦广场', '龙湖天街'];
const ROADS = ['中山路', '人民路', '解放路', '建设路', '南京路', '和平路', '长江路'];

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

function storeAt(index: number): DirectoryStoreData {
  const { city, region } = CITIES[index % CITIES.length]!;
  const mall = MALLS[Math.floor(index / CITIES.length) % MALLS.length]!;
  const [lat, lon] = CITY_CENTRES[city]!;
  const noPlace = index === DIRECTORY_SIZE - 2;
  return {
    id: FIRST_DIRECTORY_STORE_ID + index,
    name: `${city}${mall}店`,
    organizeId: region.organizeId,
    organizeName: region.organizeName,
    address: noPlace ? null : `${city}市${ROADS[index % ROADS.length]}${1 + ((index * 37) % 999)}号${mall}`,
    latitude: noPlace ? null : round6(lat + (((index * 17) % 100) - 50) / 1000),
    longitude: noPlace ? null : round6(lon + (((index * 29) % 100) - 50) / 1000),
    openStatus: index === DIRECTORY_SIZE - 1 ? null : index % 16 === 11 ? 2 : index % 8 === 5 ? 0 : 1,
  };
}

/** The directory, ordered by id. */
export const EMULATOR_DIRECTORY: readonly DirectoryStoreData[] = Array.from({ length: DIRECTORY_SIZE }, (_, index) => storeAt(index));
