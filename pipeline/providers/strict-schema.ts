/** OpenAI's strict structured-output form of a JSON Schema: the quirks of `response_format: json_schema, strict: true`. */

/** A copy of `schema` with every property required and no extra properties at every level, and no keywords strict mode refuses. */
export function toStrictSchema(schema: Record<string, unknown>): Record<string, unknown> {
  return strictNode(structuredClone(schema));
}

function strictNode(node: Record<string, unknown>): Record<string, unknown> {
  delete node.$schema;
  delete node.$id;
  delete node.title;
  delete node.description;
  // Strict mode rejects numeric range keywords on some endpoints; Ajv still enforces them after.
  delete node.minimum;
  delete node.maximum;
  delete node.minLength;
  if (node.properties && typeof node.properties === "object") {
    const props = node.properties as Record<string, Record<string, unknown>>;
    node.required = Object.keys(props);
    node.additionalProperties = false;
    for (const p of Object.values(props)) strictNode(p);
  }
  if (node.items && typeof node.items === "object") strictNode(node.items as Record<string, unknown>);
  if (node.$defs && typeof node.$defs === "object") {
    for (const d of Object.values(node.$defs as Record<string, Record<string, unknown>>)) strictNode(d);
  }
  if (node.enum) node.type = "string";
  return node;
}
