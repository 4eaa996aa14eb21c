import type { CallOptions, OpretailClient } from './client.js';
import { UpstreamBadResponseError } from './errors.js';

export const GET_PASSENGER_INDICATOR_DATA = 'open.shopweb.passengerFlow.getPassengerIndicatorData';

/**
 * One store's window, in the store's wall-clock time (`yyyy-MM-dd HH:mm:ss`, both ends inclusive). Built by
 * the resolvers from arguments they have validated (the input rules live there, once); sent as given.
 */
export interface PassengerIndicatorQuery {
  /** The opretail store id (`depId`): 1–11 digits. */
  depId: string;
  startTime: string;
  endTime: string;
  /** `isOnBusinessTime=1`: count business hours only. */
  businessHoursOnly: boolean;
}

/** `data` of getPassengerIndicatorData as it arrives: numbers or numeric strings. */
export interface PassengerIndicatorDto {
  passengerFlow: number | string;
  passPassengerFlow: number | string;
  outsidePassengerFlow: number | string;
  inShopRate: number | string;
  outFlowCount?: number | string | null;
  dressingPassengerFlow?: number | string | null;
  dressingRate?: number | string | null;
  shopId?: string | null;
}

/** The validated, typed figures. */
export interface PassengerIndicatorFigures {
  /** passengerFlow (进店客流). */
  inflow: number;
  /** passPassengerFlow (过店客流). */
  passBy: number;
  /** outsidePassengerFlow (店外客流). */
  outsideFlow: number;
  /** inShopRate (进店率), percent. */
  inShopRate: number;
  /** outFlowCount (出店客流); null when the store's devices cannot count it. */
  outflow: number | null;
  /** dressingPassengerFlow (试衣客流). */
  fittingRoomFlow: number | null;
  /** dressingRate (试衣率), percent. */
  fittingRoomRate: number | null;
  /** The tenant's own store code; null when empty. */
  shopId: string | null;
}

export interface PassengerFlowApi {
  getPassengerIndicatorData(query: PassengerIndicatorQuery, options?: CallOptions): Promise<PassengerIndicatorFigures>;
}


export function createPassengerFlowApi(client: OpretailClient): PassengerFlowApi {
  return {
    async getPassengerIndicatorData(query, options) {
      const data = await client.call(
        GET_PASSENGER_INDICATOR_DATA,
        {
          depId: query.depId,
          startTime: query.startTime,
          endTime: query.endTime,
          isOnBusinessTime: query.businessHoursOnly ? '1' : '0',
        },
        options,
      );
      return parsePassengerIndicatorData(data, GET_PASSENGER_INDICATOR_DATA);
    },
  };
}

/**
 * Validates `data`: the four core figures are required; the optional ones are null when absent, null or
 * empty. A present but non-numeric value is a bad response, never a silent 0.
 */
export function parsePassengerIndicatorData(data: unknown, method: string = GET_PASSENGER_INDICATOR_DATA): PassengerIndicatorFigures {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UpstreamBadResponseError(method, 'data is not an object', 200);
  }
  const dto = data as Record<string, unknown>;
  const count = (field: keyof PassengerIndicatorDto, required: boolean) => readNumber(dto, field, required, true, method);
  const rate = (field: keyof PassengerIndicatorDto, required: boolean) => readNumber(dto, field, required, false, method);
  const shopId = dto.shopId;
  return {
    inflow: count('passengerFlow', true)!,
    passBy: count('passPassengerFlow', true)!,
    outsideFlow: count('outsidePassengerFlow', true)!,
    inShopRate: rate('inShopRate', true)!,
    outflow: count('outFlowCount', false),
    fittingRoomFlow: count('dressingPassengerFlow', false),
    fittingRoomRate: rate('dressingRate', false),
    shopId: typeof shopId === 'string' && shopId !== '' ? shopId : typeof shopId === 'number' ? String(shopId) : null,
  };
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * A figure: a number or a numeric string; absent, null or empty is null (or a bad response when required).
 * `where` names the object in messages (`data`, `data[2].dataList[5]`), never its content.
 */
export function readNumber(
  dto: Record<string, unknown>,
  field: string,
  required: boolean,
  integer: boolean,
  method: string,
  where = 'data',
): number | null {
  const raw = dto[field];
  if (raw === undefined || raw === null || raw === '') {
    if (required) throw new UpstreamBadResponseError(method, `${where}.${field} is missing`, 200);
    return null;
  }
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && NUMERIC.test(raw.trim())) value = Number(raw.trim());
  else throw new UpstreamBadResponseError(method, `${where}.${field} is not a number`, 200);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isSafeInteger(value))) {
    throw new UpstreamBadResponseError(method, `${where}.${field} is not a ${integer ? 'non-negative integer' : 'non-negative number'}`, 200);
  }
  return value;
}
