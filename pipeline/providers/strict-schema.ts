/** OpenAI's strict structured-output form of a JSON Schema: the quirks of `response_format: json_schema, strict: true`. */

/**
 * A copy of `schema` with every property required and no extra properties at every level, and no keywords strict mode
 * refuses. `keepConstraints`: leave minLength, minimum and maximum in, for servers that enforce them by grammar
 * (llama.cpp's json_object schema); OpenAI's strict mode refuses them, so there validation is lenient instead.
 */
export function toStrictSchema(schema: Record<string, unknown>, options: { keepConstraints?: boolean } = {}): Record<string, unknown> {
  return strictNode(structuredClone(schema), options.keepConstraints === true);
}

function strictNode(node: Record<string, unknown>, keep: boolean): Record<string, unknown> {
  delete node.$schema;
  delete node.$id;
  delete node.title;
  delete node.description;
  // Strict mode rejects numeric range keywords on some endpoints; Ajv still enforces them after.
  if (!keep) {
    delete node.minimum;
    delete node.maximum;
    delete node.minLength;
  }
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
