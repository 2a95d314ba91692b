/**
 * TypeBox pieces shared by the schema modules (verdict/schema.ts, config/schema.ts, reduce/answer-schema.ts): each
 * keeps the JSON Schema it emits as plain as the hand-written files were, so Ajv's messages and editors stay the same.
 */
import { Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from "@sinclair/typebox";

/** A string that is one of `values`, emitted as `enum` (not TypeBox's anyOf of consts: Ajv's message lists the choices). */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, enum: [...values] });
}

/**
 * A `$ref` to `#/$defs/NAME`, typed as the schema it points to. The root schema must list that same schema under
 * `$defs` by that name; Ajv refuses to compile a dangling ref, and the schema tests compile every root.
 */
export function DefRef<T extends TSchema>(name: string, _target: T): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>({ $ref: `#/$defs/${name}` });
}

/** The JSON text of a schema as committed (two-space indent, final newline); scripts/gen-schemas.ts writes it. */
export function schemaJson(schema: TSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
