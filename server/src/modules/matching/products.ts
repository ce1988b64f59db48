import { Op, UniqueConstraintError, type Transaction, type WhereOptions } from 'sequelize';
import {
  PRODUCT_STATUS_LABELS,
  PRODUCT_TRANSITIONS,
  ZProductTerms,
  industryByCode,
  productProblems,
  type PageResult,
  type TInstitution,
  type TMatchProduct,
  type TProduct,
  type TProductCreate,
  type TProductDetail,
  type TProductMove,
  type TProductProblem,
  type TProductQuery,
  type TProductTerms,
  type TProductUpdate,
  type TPublicProduct,
  type TPublicProductQuery,
} from '@xyd/shared';
import type { AppContext } from '../../context';
import type { RequestMeta } from '../../http/route';
import { clock } from '../../lib/clock';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { recordAudit } from '../audit/service';
import type { AdminActor } from '../identity/actor';
import { Organisation } from '../identity/models';
import { findRegion } from '../regions/service';
import { enqueueJob } from '../../jobs/queue';
import { Product, ProductRevision } from './models';

/**
 * Financial products (金融产品): an institution's fi_admin writes them, its officers read them, the platform and
 * government read the published ones, and anyone browses the published ones in the mini-program.
 *
 * A product's terms live in revisions. A draft never published is edited in place; once a revision has been
 * published it is frozen, and an edit makes the next revision (a published product must stay valid through the
 * edit). Matches and, later, applications name the revision they were made on. Publishing, editing a published
 * product and taking one down queue a re-match of the open needs against it.
 */

const INSTITUTION_TYPES = ['bank', 'insurer', 'guarantor'] as const;

const referenceCheck = {
  regionExists: (code: string) => findRegion(code) !== null,
  industryExists: (code: string) => industryByCode(code) !== null,
};

export function termsProblems(terms: TProductTerms): TProductProblem[] {
  return productProblems(terms, referenceCheck);
}

function parseTerms(json: string): TProductTerms {
  return ZProductTerms.parse(JSON.parse(json));
}

/** Product columns kept beside the revision for lists and the public filters. */
function summaryColumns(terms: TProductTerms) {
  return {
    name: terms.name,
    type: terms.type,
    amountMinFen: terms.amountMinFen,
    amountMaxFen: terms.amountMaxFen,
    termMinMonths: terms.termMinMonths,
    termMaxMonths: terms.termMaxMonths,
    rateMinBp: terms.rateMinBp,
    guaranteeMethods: terms.guaranteeMethods.join(','),
  };
}

export async function institutionNames(ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await Organisation.findAll({ where: { id: [...new Set(ids)] }, attributes: ['id', 'name'], raw: true });
  return new Map(rows.map((r) => [String(r.id), r.name]));
}

async function revisionsById(ids: readonly string[], t?: Transaction): Promise<Map<string, ProductRevision>> {
  if (ids.length === 0) return new Map();
  const rows = await ProductRevision.findAll({ where: { id: [...new Set(ids)] }, transaction: t });
  return new Map(rows.map((r) => [r.id, r]));
}

function toDto(product: Product, revision: ProductRevision, institutionName: string): TProduct {
  const terms = parseTerms(revision.terms);
  return {
    ...terms,
    id: product.id,
    institutionId: product.institutionId,
    institutionName,
    status: product.status,
    revision: product.revision,
    revisionId: product.revisionId,
    publishedAt: product.publishedAt ? new Date(product.publishedAt).toISOString() : null,
    updatedAt: new Date(product.updatedAt).toISOString(),
    problems: termsProblems(terms),
  };
}

async function toDtos(products: Product[]): Promise<TProduct[]> {
  const [revisions, names] = await Promise.all([revisionsById(products.map((p) => p.revisionId)), institutionNames(products.map((p) => p.institutionId))]);
  return products.map((p) => toDto(p, revisions.get(p.revisionId)!, names.get(p.institutionId) ?? ''));
}

/** Institution users see their institution's products; the platform, advisors and government the published ones (the platform all). */
function productScope(actor: AdminActor): WhereOptions<Product> {
  if (actor.role === 'fi_admin' || actor.role === 'fi_officer') return { institutionId: actor.organisationId };
  if (actor.role === 'platform_admin') return {};
  return { status: 'published' };
}

export async function listProducts(actor: AdminActor, query: TProductQuery): Promise<PageResult<TProduct>> {
  const where: WhereOptions<Product>[] = [productScope(actor)];
  if (query.status) where.push({ status: query.status });
  if (query.type) where.push({ type: query.type });
  if (query.institutionId) where.push({ institutionId: query.institutionId });
  if (query.keyword) where.push({ name: { [Op.like]: `%${query.keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } });
  const { rows, count } = await Product.findAndCountAll({
    where: { [Op.and]: where },
    order: [['updatedAt', 'DESC'], ['id', 'DESC']],
    offset: (query.current - 1) * query.pageSize,
    limit: query.pageSize,
  });
  return { list: await toDtos(rows), total: count };
}

async function findVisible(actor: AdminActor, id: string, t?: Transaction): Promise<Product> {
  const product = await Product.findOne({ where: { [Op.and]: [{ id }, productScope(actor)] }, transaction: t });
  if (!product) throw new NotFoundError('产品不存在或无权访问');
  return product;
}

export async function productDetail(actor: AdminActor, id: string): Promise<TProductDetail> {
  const product = await findVisible(actor, id);
  const [dto] = await toDtos([product]);
  const revisions = await ProductRevision.findAll({
    where: { productId: product.id },
    attributes: ['id', 'revision', 'createdAt', 'createdByName'],
    order: [['revision', 'DESC']],
    limit: 100,
  });
  return {
    ...dto,
    revisions: revisions.map((r) => ({ id: r.id, revision: r.revision, createdAt: new Date(r.createdAt).toISOString(), createdByName: r.createdByName })),
  };
}

/** The institution an fi_admin writes for: its own organisation, which must be a lending institution. */
async function ownInstitution(actor: AdminActor, requested?: string): Promise<Organisation> {
  if (actor.role !== 'fi_admin') throw new ForbiddenError('只有金融机构管理员可以维护产品');
  if (requested && requested !== actor.organisationId) throw new ForbiddenError('只能为本机构创建产品');
  const org = await Organisation.findByPk(actor.organisationId);
  if (!org || org.disabled || !(INSTITUTION_TYPES as readonly string[]).includes(org.type)) throw new ForbiddenError('本机构不是可发布产品的金融机构');
  return org;
}

export async function createProduct(app: AppContext, actor: AdminActor, input: TProductCreate, meta: RequestMeta): Promise<TProduct> {
  const org = await ownInstitution(actor, input.institutionId);
  const product = await app.db.transaction(async (t) => {
    const now = clock.now();
    const id = newId();
    const revisionId = newId();
    await ProductRevision.create(
      { id: revisionId, productId: id, revision: 1, terms: JSON.stringify(input.terms), createdBy: actor.id, createdByName: actor.displayName, createdAt: now },
      { transaction: t },
    );
    const created = await Product.create(
      { id, institutionId: org.id, status: 'draft', revision: 1, revisionId, ...summaryColumns(input.terms), createdBy: actor.id, createdAt: now, updatedAt: now },
      { transaction: t },
    );
    await recordAudit(t, { actor, action: 'product.create', targetType: 'product', targetId: id, outcome: 'success', detail: { name: input.terms.name }, meta });
    return created;
  });
  return (await toDtos([product]))[0];
}

function problemsError(problems: TProductProblem[], prefix: string): ValidationError {
  return new ValidationError(`${prefix}：${problems.map((p) => p.message).join('；')}`, problems);
}

/** Re-matching the open needs against a product that changed (published, edited while published, or taken down). */
async function queueRematch(t: Transaction, productId: string, revisionId: string): Promise<void> {
  await enqueueJob(t, 'matching.rematch-product', { productId, revisionId });
}

export async function updateProduct(app: AppContext, actor: AdminActor, id: string, input: TProductUpdate, meta: RequestMeta): Promise<TProduct> {
  await ownInstitution(actor);
  const updated = await app.db.transaction(async (t) => {
    const product = await findVisible(actor, id, t);
    if (product.revision !== input.baseRevision) throw new ConflictError(`产品已被他人修改（当前第 ${product.revision} 版），请刷新后再编辑`);
    const current = (await ProductRevision.findByPk(product.revisionId, { transaction: t }))!;
    if (product.status === 'published') {
      const problems = termsProblems(input.terms);
      if (problems.length > 0) throw problemsError(problems, '已上架产品的修改须符合上架条件');
    }
    const now = clock.now();
    let revision = product.revision;
    let revisionId = product.revisionId;
    if (current.wasPublished) {
      // A revision that was ever published is frozen: matches and applications name it.
      revision += 1;
      revisionId = newId();
      try {
        await ProductRevision.create(
          { id: revisionId, productId: product.id, revision, terms: JSON.stringify(input.terms), wasPublished: product.status === 'published', createdBy: actor.id, createdByName: actor.displayName, createdAt: now },
          { transaction: t },
        );
      } catch (error) {
        if (error instanceof UniqueConstraintError) throw new ConflictError('产品已被他人修改，请刷新后再编辑');
        throw error;
      }
    } else {
      await ProductRevision.update({ terms: JSON.stringify(input.terms), createdBy: actor.id, createdByName: actor.displayName, createdAt: now }, { where: { id: current.id }, transaction: t });
    }
    // The conditional update on the revision read makes two concurrent edits of a draft fail cleanly as well.
    const [moved] = await Product.update(
      { revision, revisionId, ...summaryColumns(input.terms), updatedAt: now },
      { where: { id: product.id, revision: product.revision }, transaction: t },
    );
    if (moved !== 1) throw new ConflictError('产品已被他人修改，请刷新后再编辑');
    await recordAudit(t, {
      actor,
      action: 'product.update',
      targetType: 'product',
      targetId: product.id,
      outcome: 'success',
      detail: { revision, newRevision: revision !== product.revision, status: product.status },
      meta,
    });
    if (product.status === 'published') await queueRematch(t, product.id, revisionId);
    return (await Product.findByPk(product.id, { transaction: t }))!;
  });
  return (await toDtos([updated]))[0];
}

export async function moveProduct(app: AppContext, actor: AdminActor, id: string, input: TProductMove, meta: RequestMeta): Promise<TProduct> {
  await ownInstitution(actor);
  const moved = await app.db.transaction(async (t) => {
    const product = await findVisible(actor, id, t);
    if (!PRODUCT_TRANSITIONS[product.status].includes(input.to)) {
      throw new ConflictError(`产品当前为“${PRODUCT_STATUS_LABELS[product.status]}”，不能改为“${PRODUCT_STATUS_LABELS[input.to]}”`);
    }
    const revision = (await ProductRevision.findByPk(product.revisionId, { transaction: t }))!;
    if (input.to === 'published') {
      const problems = termsProblems(parseTerms(revision.terms));
      if (problems.length > 0) throw problemsError(problems, '产品不能上架');
      await ProductRevision.update({ wasPublished: true }, { where: { id: revision.id }, transaction: t });
    }
    const now = clock.now();
    const [changed] = await Product.update(
      { status: input.to, updatedAt: now, ...(input.to === 'published' ? { publishedAt: now } : {}) },
      { where: { id: product.id, status: product.status, revision: product.revision }, transaction: t },
    );
    if (changed !== 1) throw new ConflictError('产品状态已被他人修改，请刷新');
    await recordAudit(t, {
      actor,
      action: input.to === 'published' ? 'product.publish' : 'product.offline',
      targetType: 'product',
      targetId: product.id,
      outcome: 'success',
      detail: { from: product.status, to: input.to, revision: product.revision, note: input.note ?? null },
      meta,
    });
    await queueRematch(t, product.id, product.revisionId);
    return (await Product.findByPk(product.id, { transaction: t }))!;
  });
  return (await toDtos([moved]))[0];
}

// ---- public browsing ----------------------------------------------------------------------------------------------

export function publicDto(dto: TProduct): TPublicProduct {
  return {
    ...ZProductTerms.parse(dto),
    id: dto.id,
    revisionId: dto.revisionId,
    institutionId: dto.institutionId,
    institutionName: dto.institutionName,
    publishedAt: dto.publishedAt,
  };
}

export async function listPublicProducts(query: TPublicProductQuery): Promise<PageResult<TPublicProduct>> {
  const where: WhereOptions<Product>[] = [{ status: 'published' }];
  if (query.amountFen !== undefined) where.push({ amountMinFen: { [Op.lte]: query.amountFen }, amountMaxFen: { [Op.gte]: query.amountFen } });
  if (query.termMonths !== undefined) where.push({ termMinMonths: { [Op.lte]: query.termMonths }, termMaxMonths: { [Op.gte]: query.termMonths } });
  // Methods are stored comma-joined from a closed list of words, none a part of another.
  if (query.guarantee) where.push({ guaranteeMethods: { [Op.like]: `%${query.guarantee}%` } });
  if (query.institutionId) where.push({ institutionId: query.institutionId });
  if (query.type) where.push({ type: query.type });
  const { rows, count } = await Product.findAndCountAll({
    where: { [Op.and]: where },
    order: [['rateMinBp', 'ASC'], ['publishedAt', 'DESC'], ['id', 'ASC']],
    offset: (query.current - 1) * query.pageSize,
    limit: query.pageSize,
  });
  return { list: (await toDtos(rows)).map(publicDto), total: count };
}

export async function publicProduct(id: string): Promise<TPublicProduct> {
  const product = await Product.findOne({ where: { id, status: 'published' } });
  if (!product) throw new NotFoundError('产品不存在或已下架');
  return publicDto((await toDtos([product]))[0]);
}

export async function publicInstitutions(): Promise<TInstitution[]> {
  const rows = (await Product.findAll({
    where: { status: 'published' },
    attributes: ['institutionId', [Product.sequelize!.fn('COUNT', Product.sequelize!.col('id')), 'n']],
    group: ['institutionId'],
    raw: true,
  })) as unknown as Array<{ institutionId: unknown; n: unknown }>;
  const names = await institutionNames(rows.map((r) => String(r.institutionId)));
  return rows
    .map((r) => ({ id: String(r.institutionId), name: names.get(String(r.institutionId)) ?? '', publishedProducts: Number(r.n) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

// ---- what the matcher reads ---------------------------------------------------------------------------------------

/** Products by their revision, as the matcher takes them (revisions are immutable once published, so cache freely). */
export async function matchProductsByRevision(revisionIds: readonly string[], t?: Transaction): Promise<Map<string, TMatchProduct>> {
  const revisions = await revisionsById(revisionIds, t);
  const products = await Product.findAll({ where: { id: [...new Set([...revisions.values()].map((r) => r.productId))] }, attributes: ['id', 'institutionId'], raw: true, transaction: t });
  const institutionOf = new Map(products.map((p) => [String(p.id), String(p.institutionId)]));
  const out = new Map<string, TMatchProduct>();
  for (const r of revisions.values()) {
    out.set(r.id, { productId: r.productId, revisionId: r.id, institutionId: institutionOf.get(r.productId) ?? '', terms: parseTerms(r.terms) });
  }
  return out;
}

interface Catalogue {
  stamp: string;
  products: TMatchProduct[];
}
let catalogue: Catalogue | null = null;

/**
 * Every published product at its current revision. Kept in the process and reloaded only when the published set
 * changed (a count and the latest update stamp, one cheap query), since one need is matched against all of them.
 */
export async function publishedCatalogue(): Promise<TMatchProduct[]> {
  const [stampRow] = (await Product.findAll({
    where: { status: 'published' },
    attributes: [
      [Product.sequelize!.fn('COUNT', Product.sequelize!.col('id')), 'n'],
      [Product.sequelize!.fn('MAX', Product.sequelize!.col('updated_at')), 'latest'],
    ],
    raw: true,
  })) as unknown as Array<{ n: unknown; latest: unknown }>;
  const stamp = `${Number(stampRow?.n ?? 0)}:${stampRow?.latest ? new Date(stampRow.latest as string).getTime() : 0}`;
  if (catalogue?.stamp === stamp) return catalogue.products;
  const rows = await Product.findAll({ where: { status: 'published' }, attributes: ['revisionId'], raw: true });
  const byRevision = await matchProductsByRevision(rows.map((r) => String(r.revisionId)));
  catalogue = { stamp, products: [...byRevision.values()] };
  return catalogue.products;
}

/** A product's current state for the matcher: its status and current revision. */
export async function productState(productId: string): Promise<{ status: string; revisionId: string } | null> {
  const row = await Product.findByPk(productId, { attributes: ['status', 'revisionId'], raw: true });
  return row ? { status: row.status, revisionId: String(row.revisionId) } : null;
}

// ---- what an application reads -------------------------------------------------------------------------------------

export interface ProductForApplication {
  id: string;
  institutionId: string;
  institutionName: string;
  status: Product['status'];
  revisionId: string;
  terms: TProductTerms;
}

/** A product with its current revision's terms, for an application to snapshot; null when there is no such product. */
export async function productForApplication(productId: string, t?: Transaction): Promise<ProductForApplication | null> {
  const product = await Product.findByPk(productId, { transaction: t });
  if (!product) return null;
  const revision = await ProductRevision.findByPk(product.revisionId, { transaction: t });
  if (!revision) return null;
  const names = await institutionNames([product.institutionId]);
  return {
    id: product.id,
    institutionId: product.institutionId,
    institutionName: names.get(product.institutionId) ?? '',
    status: product.status,
    revisionId: revision.id,
    terms: parseTerms(revision.terms),
  };
}

/** Names of products by id (for lists of applications). */
export async function productNames(ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await Product.findAll({ where: { id: [...new Set(ids)] }, attributes: ['id', 'name'], raw: true });
  return new Map(rows.map((r) => [String(r.id), r.name]));
}
