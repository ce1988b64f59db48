export type ValidationResult = { ok: true; value: string } | { ok: false; message: string };
