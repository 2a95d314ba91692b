/** OpenAI's strict structured-output form of a JSON Schema: the quirks of `response_format: json_schema, strict: true`. */

/**
 * Which constraints a strict schema keeps: `all` (minLength, minimum, maximum) for servers that enforce them by grammar
 * (llama.cpp's json_object schema); `bounds` (minimum, maximum) for json_schema, which vLLM enforces, while OpenAI's
 * strict mode refuses minLength (an empty title is dropped on acceptance instead); `none` for a server that refused the
 * bounds by name (the answer's validation still enforces them).
 */
export type KeptConstraints = "all" | "bounds" | "none";

/** The numeric range keywords a strict json_schema carries unless the server refused them. */
export const BOUND_KEYWORDS = ["minimum", "maximum"] as const;

/**
 * A copy of `schema` with every property required and no extra properties at every level, and no keywords strict mode
 * refuses (`keep` says which constraints stay). Built once per schema and `keep`: the same object is sent every call.
 */
export function toStrictSchema(schema: Record<string, unknown>, keep: KeptConstraints): Record<string, unknown> {
  let built = BUILT.get(schema);
  if (!built) BUILT.set(schema, (built = new Map()));
  let strict = built.get(keep);
  if (!strict) built.set(keep, (strict = strictNode(structuredClone(schema), keep)));
  return strict;
}

const BUILT = new WeakMap<Record<string, unknown>, Map<KeptConstraints, Record<string, unknown>>>();

function strictNode(node: Record<string, unknown>, keep: KeptConstraints): Record<string, unknown> {
  delete node.$schema;
  delete node.$id;
  delete node.title;
  delete node.description;
  // Ajv still enforces every constraint left out here on the answer.
  if (keep !== "all") delete node.minLength;
  if (keep === "none") for (const k of BOUND_KEYWORDS) delete node[k];
  if (node.properties && typeof node.properties === "object") {
    const props = node.properties as Record<string, Record<string, unknown>>;
    node.required = Object.keys(props);
    node.additionalProperties = false;
    for (const p of Object.values(props)) strictNode(p, keep);
  }
  if (node.items && typeof node.items === "object") strictNode(node.items as Record<string, unknown>, keep);
  if (node.$defs && typeof node.$defs === "object") {
    for (const d of Object.values(node.$defs as Record<string, Record<string, unknown>>)) strictNode(d, keep);
  }
  if (node.enum) node.type = "string";
  return node;
}
