import type { QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

/** audit sealing (filled in by its module). */
export async function up(_ctx: Ctx): Promise<void> {}

export async function down(_ctx: Ctx): Promise<void> {}
