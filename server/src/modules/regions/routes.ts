import { z } from 'zod';
import { ZRegion, ZRegionQuery } from '@xyd/shared';
import { route, type RouteSpec } from '../../http/route';
import { listRegions } from './service';

export function regionRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/regions',
      operationId: 'listRegions',
      summary: '行政区划（GB/T 2260）：不带 parent 为省级',
      tags: ['基础数据'],
      auth: 'signed-in',
      query: ZRegionQuery,
      response: z.array(ZRegion),
      handler: async ({ query }) => listRegions(query.parent),
    }),
  ];
}
