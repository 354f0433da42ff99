import { UserError } from '../../errors.js';
import { BuildLockedError } from '../engine.js';

/** The database cannot be reached or refuses us: a bad URL, a server down, a wrong password. */
export class DatabaseUnavailableError extends UserError {
  override readonly name = 'DatabaseUnavailableError';

  constructor(
    /** What went wrong, in a few words (never the URL's password). */
    readonly problem: string,
  ) {
    super(
      `Cannot use the database in DATABASE_URL: ${problem}. Check DATABASE_URL (postgres://user:password@host:5432/db) and that the server is up.`,
    );
  }
}

/** The database has no pgvector, or we may not create the extension. */
export class VectorExtensionError extends UserError {
  override readonly name = 'VectorExtensionError';

  constructor(readonly problem: string) {
    super(
      `The database in DATABASE_URL has no pgvector (${problem}): install pgvector 0.8 or newer on the server and run CREATE EXTENSION vector; as a database owner or superuser.`,
    );
  }
}

/** The database's schema was made by a newer version of this program, or is not ours. */
export class DatabaseSchemaError extends UserError {
  override readonly name = 'DatabaseSchemaError';
}

/** Another builder holds the build lease. */
export class DatabaseBuildLockedError extends BuildLockedError {
  override readonly name = 'DatabaseBuildLockedError';

  constructor(
    holder: string,
    readonly until: Date,
  ) {
    super(
      holder,
      `Another build (${holder}) is writing to the database until ${until.toISOString()} at the latest; wait for it to finish and try again.`,
    );
  }
}

/** The database holds no published build yet. */
export class DatabaseEmptyError extends UserError {
  override readonly name = 'DatabaseEmptyError';

  constructor() {
    super('The database in DATABASE_URL holds no index yet. Build one with: npm run index');
  }
}

/** The database's vectors are of another dimension than the model's. */
export class DatabaseDimensionError extends UserError {
  override readonly name = 'DatabaseDimensionError';

  constructor(
    readonly found: number,
    readonly expected: number,
    readonly model: string,
  ) {
    super(
      `The database holds vectors of ${found} dimensions; ${model} gives ${expected}. Use another database for this model (DATABASE_URL), or the model the database was built with.`,
    );
  }
}
