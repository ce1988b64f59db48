import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp, VERSION } from '../app';
import { loadConfig } from '../config';
import type { AppContext } from '../context';
import { createContext } from '../main';

/**
 * The OpenAPI document as the server serves it at /api/v1/openapi.json, from the routes that `buildApp` registers.
 * Given no context it builds a throwaway one on a temporary SQLite path: registering routes runs no query.
 * (Connecting binds the models to that database, so a process with a database of its own passes its context.)
 */
export async function generateOpenApiDocument(app?: AppContext): Promise<object> {
  if (app) return buildApp(app).registry.openApiDocument(VERSION);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-openapi-'));
  try {
    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'unused.sqlite')}` } as NodeJS.ProcessEnv);
    const context = await createContext(config);
    try {
      return buildApp(context).registry.openApiDocument(VERSION);
    } finally {
      await context.db.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the document (pretty JSON, trailing newline) so that client generators and reviewers read it from disk. */
export async function writeOpenApiDocument(file: string, app?: AppContext): Promise<string> {
  const document = await generateOpenApiDocument(app);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

if (require.main === module) {
  const target = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', '..', 'docs', 'openapi.json'));
  writeOpenApiDocument(target).then(
    (file) => console.log(`wrote ${path.relative(process.cwd(), file)}`),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
