/**
 * A small model of a Prisma schema, random edits on it, and its rendering: what the round-trip
 * property test (item 4) generates. Edits are plain data (a kind and a few numbers that pick
 * their targets), so fast-check can generate and shrink them, and one interpreter turns them into
 * schemas that are always valid: an edit whose target does not exist does nothing.
 */
import type { Provider } from './databases.js';

export const SCALARS = ['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes'] as const;
export type Scalar = (typeof SCALARS)[number];

export interface FieldSpec {
  name: string;
  /** A scalar, or the name of an enum (PostgreSQL). */
  type: Scalar | { enum: string };
  /** A scalar list (`String[]`, PostgreSQL only). */
  list: boolean;
  optional: boolean;
  /** The argument of `@default(...)`, rendered. */
  default: string | undefined;
  /** `@map("...")`: the column name. */
  column: string | undefined;
}

export interface ModelSpec {
  name: string;
  /** `@@map("...")`: the table name. */
  table: string | undefined;
  id: 'Int' | 'String';
  fields: FieldSpec[];
  /** `@@index([...])`, by field names. */
  indexes: string[][];
  /** `@@unique([...])`, by field names. */
  uniques: string[][];
}

export interface RelationSpec {
  /** The relation's name; its fields are `<n>` and `<n>Back` (and `<n>Id` for the foreign key). */
  name: string;
  kind: '1-1' | '1-n' | 'm-n';
  /** The side that holds the foreign key (1-1, 1-n) or the first list (m-n). */
  from: string;
  to: string;
  /** The foreign key is required (1-1, 1-n). */
  required: boolean;
}

export interface EnumSpec {
  name: string;
  values: string[];
}

export interface SchemaState {
  provider: Provider;
  models: ModelSpec[];
  relations: RelationSpec[];
  enums: EnumSpec[];
  /** Source of fresh names. */
  next: number;
}

export const EDIT_KINDS = [
  'addModel',
  'removeModel',
  'addField',
  'removeField',
  'toggleOptional',
  'toggleDefault',
  'mapColumn',
  'mapTable',
  'addIndex',
  'removeIndex',
  'addUnique',
  'removeUnique',
  'addRelation',
  'removeRelation',
  'toggleRelationRequired',
  'addEnum',
  'addEnumValue',
  'removeEnumValue',
  'addEnumField',
  'addListField',
] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

/** One edit: its kind, and numbers that pick what it applies to (taken modulo the choices). */
export interface Edit {
  kind: EditKind;
  a: number;
  b: number;
  c: number;
  flag: boolean;
}

/** How often each edit is drawn: schemas grow more than they shrink, so they get interesting. */
export const EDIT_WEIGHTS: Record<EditKind, number> = {
  addModel: 3,
  removeModel: 1,
  addField: 4,
  removeField: 1,
  toggleOptional: 2,
  toggleDefault: 2,
  mapColumn: 2,
  mapTable: 1,
  addIndex: 2,
  removeIndex: 1,
  addUnique: 2,
  removeUnique: 1,
  addRelation: 4,
  removeRelation: 1,
  toggleRelationRequired: 1,
  addEnum: 1,
  addEnumValue: 1,
  removeEnumValue: 1,
  addEnumField: 2,
  addListField: 1,
};

/** What each provider supports: enums and scalar lists are PostgreSQL's. */
export function editKindsFor(provider: Provider): EditKind[] {
  return provider === 'postgresql' ? [...EDIT_KINDS] : EDIT_KINDS.filter((k) => !['addEnum', 'addEnumValue', 'removeEnumValue', 'addEnumField', 'addListField'].includes(k));
}

export function initialState(provider: Provider): SchemaState {
  return {
    provider,
    models: [
      { name: 'M0', table: undefined, id: 'Int', fields: [scalarField('f0', 'String', false, undefined)], indexes: [], uniques: [] },
      { name: 'M1', table: undefined, id: 'String', fields: [scalarField('f1', 'Int', true, undefined)], indexes: [], uniques: [] },
    ],
    relations: [],
    enums: [],
    next: 2,
  };
}

function scalarField(name: string, type: Scalar | { enum: string }, optional: boolean, dflt: string | undefined): FieldSpec {
  return { name, type, list: false, optional, default: dflt, column: undefined };
}

/** Types an index or a unique constraint may cover (not Json, Bytes or lists). */
function indexable(field: FieldSpec): boolean {
  return !field.list && (typeof field.type === 'object' || !['Json', 'Bytes'].includes(field.type));
}

/**
 * A default for a scalar, or none when the type has none here. Json on SQLite gets none:
 * the engine renders `DEFAULT {}`, which SQLite refuses (prisma/orm#26571; round-trip.test.ts
 * pins it).
 */
function defaultFor(type: Scalar, provider: Provider, pick: number): string | undefined {
  switch (type) {
    case 'String':
      return ['"abc"', '""', '"it\'s"'][pick % 3];
    case 'Int':
      return ['42', '0', '-7'][pick % 3];
    case 'BigInt':
      return ['7', '9007199254740993'][pick % 2];
    case 'Float':
      return ['1.5', '0'][pick % 2];
    case 'Decimal':
      return ['2.5', '10'][pick % 2];
    case 'Boolean':
      return ['true', 'false'][pick % 2];
    case 'DateTime':
      return 'now()';
    case 'Json':
      return provider === 'postgresql' ? ['"{}"', '"[]"'][pick % 2] : undefined;
    case 'Bytes':
      return undefined;
  }
}

const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

function clone(state: SchemaState): SchemaState {
  return structuredClone(state);
}

/** The fields a relation adds to a model (so that field names never collide). */
function relationFieldNames(state: SchemaState, model: string): string[] {
  return state.relations.flatMap((r) => [
    ...(r.from === model ? [r.name, ...(r.kind === 'm-n' ? [] : [`${r.name}Id`])] : []),
    ...(r.to === model ? [`${r.name}Back`] : []),
  ]);
}

/** Applies one edit; an edit that does not fit the schema as it is leaves it unchanged. */
export function applyEdit(previous: SchemaState, edit: Edit): SchemaState {
  const state = clone(previous);
  const n = state.next++;
  const model = pick(state.models, edit.a);
  const field = model ? pick(model.fields, edit.b) : undefined;
  switch (edit.kind) {
    case 'addModel': {
      const fields = [scalarField(`f${n}`, pick(SCALARS, edit.b)!, edit.c % 2 === 0, undefined)];
      state.models.push({ name: `M${n}`, table: edit.c % 3 === 0 ? `t_m${n}` : undefined, id: edit.flag ? 'Int' : 'String', fields, indexes: [], uniques: [] });
      break;
    }
    case 'removeModel': {
      if (!model) break;
      state.relations = state.relations.filter((r) => r.from !== model.name && r.to !== model.name);
      state.models = state.models.filter((m) => m !== model);
      break;
    }
    case 'addField': {
      if (!model) break;
      const type = pick(SCALARS, edit.b)!;
      const optional = edit.flag;
      model.fields.push({ ...scalarField(`f${n}`, type, optional, edit.c % 3 === 0 ? defaultFor(type, state.provider, edit.c) : undefined), column: edit.c % 5 === 1 ? `c_f${n}` : undefined });
      break;
    }
    case 'removeField': {
      if (!model || !field) break;
      model.fields = model.fields.filter((f) => f !== field);
      model.indexes = model.indexes.filter((i) => !i.includes(field.name));
      model.uniques = model.uniques.filter((u) => !u.includes(field.name));
      break;
    }
    case 'toggleOptional': {
      if (!field || field.list) break;
      field.optional = !field.optional;
      break;
    }
    case 'toggleDefault': {
      if (!field || field.list) break;
      if (field.default !== undefined) field.default = undefined;
      else if (typeof field.type === 'object') field.default = state.enums.find((e) => e.name === (field.type as { enum: string }).enum)?.values[0];
      else field.default = defaultFor(field.type, state.provider, edit.c);
      break;
    }
    case 'mapColumn': {
      // A rename through @map: the field keeps its name, its column gets a new one (or its own back).
      if (!field) break;
      field.column = field.column === undefined || edit.flag ? `c_${field.name}_${n}` : undefined;
      break;
    }
    case 'mapTable': {
      if (!model) break;
      model.table = model.table === undefined || edit.flag ? `t_${model.name.toLowerCase()}_${n}` : undefined;
      break;
    }
    case 'addIndex':
    case 'addUnique': {
      if (!model) break;
      const candidates = model.fields.filter(indexable);
      const first = pick(candidates, edit.b);
      if (!first) break;
      const second = edit.flag ? pick(candidates, edit.c) : undefined;
      const fields = second && second !== first ? [first.name, second.name] : [first.name];
      const list = edit.kind === 'addIndex' ? model.indexes : model.uniques;
      if (!list.some((existing) => existing.join() === fields.join())) list.push(fields);
      break;
    }
    case 'removeIndex':
    case 'removeUnique': {
      if (!model) break;
      const list = edit.kind === 'removeIndex' ? model.indexes : model.uniques;
      if (list.length > 0) list.splice(edit.b % list.length, 1);
      break;
    }
    case 'addRelation': {
      const to = pick(state.models, edit.b);
      if (!model || !to) break;
      const kind = (['1-1', '1-n', 'm-n'] as const)[edit.c % 3]!;
      state.relations.push({ name: `r${n}`, kind, from: model.name, to: to.name, required: kind !== 'm-n' && edit.flag });
      break;
    }
    case 'removeRelation': {
      if (state.relations.length > 0) state.relations.splice(edit.a % state.relations.length, 1);
      break;
    }
    case 'toggleRelationRequired': {
      const relation = pick(state.relations, edit.a);
      if (relation && relation.kind !== 'm-n') relation.required = !relation.required;
      break;
    }
    case 'addEnum': {
      state.enums.push({ name: `E${n}`, values: Array.from({ length: 1 + (edit.b % 3) }, (_, i) => `V${n}_${i}`) });
      break;
    }
    case 'addEnumValue': {
      const e = pick(state.enums, edit.a);
      if (e) e.values.push(`V${n}`);
      break;
    }
    case 'removeEnumValue': {
      const e = pick(state.enums, edit.a);
      if (!e || e.values.length < 2) break;
      const [removed] = e.values.splice(edit.b % e.values.length, 1);
      for (const m of state.models) {
        for (const f of m.fields) if (typeof f.type === 'object' && f.type.enum === e.name && f.default === removed) f.default = e.values[0];
      }
      break;
    }
    case 'addEnumField': {
      const e = pick(state.enums, edit.b);
      if (!model || !e) break;
      model.fields.push(scalarField(`f${n}`, { enum: e.name }, edit.flag, edit.c % 2 === 0 ? e.values[0] : undefined));
      break;
    }
    case 'addListField': {
      if (!model) break;
      model.fields.push({ ...scalarField(`f${n}`, pick(['String', 'Int'] as const, edit.b)!, false, undefined), list: true });
      break;
    }
  }
  // Enums nothing uses are fine (PostgreSQL creates the type anyway); enums whose fields are gone stay.
  // Names stay unique: every new name carries `n`; relation fields are derived from relation names.
  for (const m of state.models) {
    const taken = new Set(relationFieldNames(state, m.name));
    if (m.fields.some((f) => taken.has(f.name))) throw new Error(`name clash in ${m.name}`);
  }
  return state;
}

function renderField(f: FieldSpec): string {
  const type = typeof f.type === 'object' ? f.type.enum : f.type;
  const modifier = f.list ? '[]' : f.optional ? '?' : '';
  const attributes = [f.default !== undefined ? `@default(${f.default})` : '', f.column ? `@map("${f.column}")` : ''].filter(Boolean).join(' ');
  return `  ${f.name} ${type}${modifier}${attributes ? ` ${attributes}` : ''}`;
}

/** The schema's models and enums (no datasource), as a person would write them. */
export function renderModels(state: SchemaState): string {
  const idType = (name: string) => state.models.find((m) => m.name === name)?.id ?? 'Int';
  const blocks: string[] = [];
  for (const e of state.enums) blocks.push(`enum ${e.name} {\n${e.values.map((v) => `  ${v}`).join('\n')}\n}`);
  for (const m of state.models) {
    const lines = [m.id === 'Int' ? '  id Int @id @default(autoincrement())' : '  id String @id', ...m.fields.map(renderField)];
    for (const r of state.relations) {
      if (r.from === m.name) {
        if (r.kind === 'm-n') lines.push(`  ${r.name} ${r.to}[] @relation("${r.name}")`);
        else {
          const optional = r.required ? '' : '?';
          lines.push(`  ${r.name}Id ${idType(r.to)}${optional}${r.kind === '1-1' ? ' @unique' : ''}`);
          lines.push(`  ${r.name} ${r.to}${optional} @relation("${r.name}", fields: [${r.name}Id], references: [id])`);
        }
      }
      if (r.to === m.name) lines.push(`  ${r.name}Back ${r.from}${r.kind === '1-1' ? '?' : '[]'} @relation("${r.name}")`);
    }
    for (const i of m.indexes) lines.push(`  @@index([${i.join(', ')}])`);
    for (const u of m.uniques) lines.push(`  @@unique([${u.join(', ')}])`);
    if (m.table) lines.push(`  @@map("${m.table}")`);
    blocks.push(`model ${m.name} {\n${lines.join('\n')}\n}`);
  }
  return `${blocks.join('\n\n')}\n`;
}

export function renderSchema(state: SchemaState): string {
  return `datasource db {\n  provider = "${state.provider}"\n}\n\n${renderModels(state)}`;
}
