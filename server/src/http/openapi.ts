import { z, type ZodType } from 'zod';
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { API_CLIENT_ROLES, SIGNATURE_MAX_SKEW_SECONDS, ZErrorEnvelope, ROLE_LABELS } from '@xyd/shared';
import { callersOf, type RouteSpec } from './route';

/** Tags in the order the document lists them; a tag used by a route but missing here shows up in the lint test. */
export const TAG_DESCRIPTIONS: Record<string, string> = {
  系统: '健康检查等运维接口，无需登录。',
  身份认证: '管理后台（Cookie 会话）与小程序（Bearer 令牌）的登录、会话、密码与动态验证码（TOTP）。',
  平台管理: '机构与后台用户的管理，仅平台管理员。',
  基础数据: '行政区划（GB/T 2260）等基础数据。',
  企业: '企业档案：按角色、区域与企业授权限定可见范围，范围外一律返回 404。',
  企业认证: '企业用户提交营业执照与法定代表人信息，融资顾问审核通过后绑定企业。',
  消息: '站内消息中心与微信订阅消息的授权上报。',
  工作台: '后台首页按角色汇总的待办与统计。',
  审计: '审计日志及其哈希链校验，仅平台管理员。',
  后台任务: '后台任务队列（导入、校验、通知投递等）的查看与重试，仅平台管理员。',
  工作日历: '法定节假日与调休上班安排（工作日的计算依据）：内置数据覆盖到 2026 年，之后的年份由平台管理员录入；未确认的年份暂按周末计算。',
  机构系统对接: '金融机构管理员为本机构自有系统创建的接口客户端：密钥只显示一次，可轮换、可停用。',
  数据汇聚: '信用数据的汇聚：数据源（签名推送）、文件导入（后台任务）、批次结果与错误报告、企业的信用数据与数据质量。',
  信用评价: '信用画像与评分：可解释的评分、评级与五维得分（扣分原因与改进建议）、历史、异议处理、评分卡版本（候选影子评分、对比与启用）。',
  风险预警: '风险预警：按规则（行政处罚、黑名单、被诉与被执行、欠税欠费、用电与参保人数骤降、评级下调、经营异常）每个原因只预警一次；确认与关闭；预警规则阈值的版本。',
  金融产品: '金融机构的产品与准入条件：草稿 → 上架 → 下架，上架后修改生成新版本（匹配与申请保留其所依据的版本）；小程序公开浏览已上架产品。',
  融资需求: '一键融资需求、系统智能匹配（逐项理由与差一点符合的产品及改进建议）、融资顾问人工复核与推荐、按工作日计算的复核时限。',
  融资申请: '融资申请：企业申请产品并单独授权；受理 → 调查 → 批准（批复）→ 放款 → 结清，或拒绝（原因）、撤回、放弃、逾期；每一步记入时间线，版本号防止并发重复操作；按工作日计算的受理与办结时限；信用报告（水印，PDF）；信用服务机构委托；回访。',
  数据授权: '数据授权与访问日志：企业按申请授权机构查看指定数据至截止日，可随时撤销并立即生效；机构在授权下的每次查看都记入访问日志，企业可查看“谁查看了我的数据”。',
  贷款: '贷款与还款：放款登记、还款计划与还款报送（后台或机构系统签名调用），余额、逾期天数与五级分类（关注、次级、可疑、损失），首贷户与信用贷款占比。',
};

/**
 * Whether an institution's API client can call this route: the route takes API clients (`callersOf`) and its roles,
 * if any, admit the role a client acts as (fi_officer at most), so that the document never offers a signature
 * that the role check would then refuse.
 */
export function acceptsInstitutionSignature(spec: RouteSpec): boolean {
  if (!callersOf(spec).includes('api-client')) return false;
  return !spec.roles || spec.roles.some((role) => (API_CLIENT_ROLES as readonly string[]).includes(role));
}

const HMAC_DESCRIPTION = [
  '机构系统对接的签名认证（HMAC-SHA256），每个请求携带四个请求头：',
  '',
  '- `X-Key-Id`：接口客户端的密钥编号（`ak_` 开头）；',
  `- \`X-Timestamp\`：发送时刻（Unix 秒），与服务器时间相差超过 ${SIGNATURE_MAX_SKEW_SECONDS / 60} 分钟即拒绝（TIMESTAMP_SKEWED）；`,
  '- `X-Nonce`：每个请求唯一的随机串（16–64 位 `[A-Za-z0-9_-]`），重复使用即拒绝（NONCE_REPLAYED）；',
  '- `X-Signature`：`hex(HMAC-SHA256(secret, 签名串))`，签名串为 `METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(请求体))`，以换行连接，路径与查询串按实际发送的原样。',
  '',
  '客户端以本机构业务员（fi_officer）身份调用，所见范围与该角色相同（企业授权、数据范围同样适用），每次调用都以客户端名称记入审计日志。',
  '签名示例（TypeScript 与 curl + openssl）和错误码见 docs/integration.md。',
].join('\n');

// Registered once per process: zod's global registry refuses a second schema with the same id.
const ZError = ZErrorEnvelope.meta({ id: 'ErrorEnvelope', description: '错误响应：errorCode 为稳定的错误码，errorMessage 为面向用户的中文说明' });

// OpenAPI 3.0 cannot say "null" alone; an object type that only admits null lints clean and types as `null`.
const NO_DATA = z.null().meta({ type: 'object', nullable: true, enum: [null], description: '无返回数据（始终为 null）' });

const IDEMPOTENCY_HEADERS = z.object({
  'Idempotency-Key': z
    .string()
    .optional()
    .meta({ description: '幂等键（字母、数字和 _ . : -，1–128 位）：同一键重复提交返回第一次的结果，一天内有效；同一键换了请求体返回 409', example: 'demand-20260501-0001' }),
});

const SOURCE_HMAC_DESCRIPTION = [
  '数据源推送的签名认证（HMAC-SHA256），与机构接口客户端的签名方式相同，密钥编号以 `ds_` 开头：',
  '',
  '- `X-Key-Id`：数据源的密钥编号；`X-Timestamp`：Unix 秒，偏差超过 5 分钟拒绝（TIMESTAMP_SKEWED）；',
  '- `X-Nonce`：每个请求唯一（NONCE_REPLAYED）；`X-Signature`：`hex(HMAC-SHA256(secret, METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(请求体))))`。',
  '',
  '停用的数据源（SOURCE_DISABLED）、无权报送的类别（CATEGORY_NOT_ALLOWED）与覆盖区域外的企业（REGION_NOT_ALLOWED）各有错误码。见 docs/integration.md。',
].join('\n');

function securityOf(spec: RouteSpec): Record<string, string[]>[] {
  if (spec.auth === 'public') return [];
  if (spec.auth === 'source') return [{ sourceHmac: [] }];
  const schemes = spec.auth === 'admin' ? ['cookie'] : spec.auth === 'wechat' ? ['bearer'] : ['cookie', 'bearer'];
  if (acceptsInstitutionSignature(spec)) schemes.push('hmac');
  return schemes.map((name) => ({ [name]: [] }));
}

function descriptionOf(spec: RouteSpec): string | undefined {
  const lines: string[] = [];
  if (spec.roles) lines.push(`角色：${spec.roles.map((r) => ROLE_LABELS[r]).join('、')}`);
  if (acceptsInstitutionSignature(spec)) lines.push('机构接口客户端可用签名请求（hmac）调用，所见范围与本机构业务员相同。');
  return lines.length ? lines.join('\n\n') : undefined;
}

export interface OpenApiOptions {
  version: string;
}

/** The OpenAPI 3.0 document of the given routes, generated from the same zod schemas that validate them. */
export function buildOpenApiDocument(specs: readonly RouteSpec[], { version }: OpenApiOptions): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'cookie', {
    type: 'apiKey',
    in: 'cookie',
    name: 'xyd_sid',
    description: '管理后台会话 Cookie（httpOnly、SameSite=Strict），由 POST /api/v1/auth/admin/login 设置。',
  });
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: '小程序会话令牌：POST /api/v1/auth/wechat/login 返回的 token，放在 Authorization: Bearer <token>。',
  });
  registry.registerComponent('securitySchemes', 'hmac', { type: 'apiKey', in: 'header', name: 'X-Signature', description: HMAC_DESCRIPTION });
  registry.registerComponent('securitySchemes', 'sourceHmac', { type: 'apiKey', in: 'header', name: 'X-Signature', description: SOURCE_HMAC_DESCRIPTION });
  const usedTags = new Set<string>();
  for (const spec of specs) {
    spec.tags.forEach((tag) => usedTags.add(tag));
    const responses: Record<string, { description: string; content?: Record<string, { schema: ZodType | object }> }> = {};
    const ok = String(spec.status ?? 200);
    if (spec.binary) {
      responses[ok] = { description: spec.binary, content: { [spec.binary]: { schema: { type: 'string', format: 'binary' } } } };
    } else {
      responses[ok] = {
        description: '成功',
        content: { 'application/json': { schema: z.object({ success: z.literal(true), data: spec.response ?? NO_DATA }) } },
      };
    }
    const errorContent = { 'application/json': { schema: ZError } };
    responses['400'] = { description: '请求参数不正确（errorFields 指明字段）', content: errorContent };
    if (spec.auth !== 'public') {
      responses['401'] = { description: '未登录、登录已过期或签名无效', content: errorContent };
      responses['403'] = { description: '角色无权执行此操作', content: errorContent };
    }
    if (spec.path.includes(':')) responses['404'] = { description: '不存在或不在可见范围内', content: errorContent };
    if (spec.idempotent) responses['409'] = { description: 'Idempotency-Key 冲突或状态冲突', content: errorContent };
    const bodyContent = spec.rawBody
      ? Object.fromEntries(
          spec.rawBody.mediaTypes.map((type) => [
            type,
            { schema: type === 'application/json' ? { type: 'array', items: { type: 'object', additionalProperties: true }, description: spec.rawBody!.description } : { type: 'string', description: spec.rawBody!.description } },
          ]),
        )
      : spec.body
      ? spec.multipart
        ? {
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: Object.fromEntries(Object.entries(spec.multipart.files).map(([k, d]) => [k, { type: 'string', format: 'binary', description: d }])),
                description: '文本字段见 JSON 模式；文件字段如上',
              },
            },
            'application/json': { schema: spec.body },
          }
        : { 'application/json': { schema: spec.body } }
      : undefined;
    registry.registerPath({
      method: spec.method,
      path: `/api/v1${spec.path.replace(/:(\w+)/g, '{$1}')}`,
      operationId: spec.operationId,
      summary: spec.summary,
      tags: spec.tags,
      description: descriptionOf(spec),
      security: securityOf(spec),
      request: {
        params: spec.params as never,
        query: spec.query as never,
        body: bodyContent ? { content: bodyContent as never } : undefined,
        headers: spec.idempotent ? (IDEMPOTENCY_HEADERS as never) : undefined,
      },
      responses: responses as never,
    });
  }
  const known = Object.keys(TAG_DESCRIPTIONS).filter((name) => usedTags.has(name));
  const unknown = [...usedTags].filter((name) => !(name in TAG_DESCRIPTIONS));
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: '信易贷 API',
      version,
      description:
        '全国中小企业融资综合信用服务平台 API。所有响应均为 { success, data, errorCode, errorMessage } 信封；' +
        '列表接口接受 current、pageSize，返回 { list, total }。',
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      contact: { name: '信易贷平台运营中心' },
    },
    servers: [{ url: '/', description: '当前部署（与文档同源）' }],
    tags: [...known.map((name) => ({ name, description: TAG_DESCRIPTIONS[name] })), ...unknown.map((name) => ({ name }))],
  });
}
