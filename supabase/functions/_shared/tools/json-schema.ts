// Checks a tool's arguments against its JSON Schema before the tool runs, so a model's malformed
// call is answered with what is wrong (as a tool error it can correct) and never reaches a tool.
// The subset tool schemas use: type (one or a list), properties, required, additionalProperties,
// enum, const, string lengths and pattern, number bounds, array items and sizes. Other keywords
// (format, description, $schema...) are accepted and not checked.

type Schema = Record<string, unknown>;

const maxDepth = 32;
const maxProblems = 10;

/** What is wrong with `value` under `schema`, each as "path: problem"; empty when it fits. */
export function schemaProblems(schema: Schema, value: unknown): string[] {
  const problems: string[] = [];
  check(schema, value, "arguments", 0, problems);
  return problems.slice(0, maxProblems);
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function fitsType(expected: string, actual: string): boolean {
  return expected === actual || (expected === "number" && actual === "integer");
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function check(schema: Schema, value: unknown, path: string, depth: number, problems: string[]): void {
  if (problems.length >= maxProblems) return;
  if (depth > maxDepth) {
    problems.push(`${path}: nested too deeply`);
    return;
  }
  const actual = typeOf(value);
  const types = typeof schema.type === "string" ? [schema.type] : Array.isArray(schema.type) ? schema.type.map(String) : null;
  if (types && !types.some((type) => fitsType(type, actual))) {
    problems.push(`${path}: must be ${types.join(" or ")}, not ${actual}`);
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => sameJson(option, value))) {
    problems.push(`${path}: must be one of ${schema.enum.map((option) => JSON.stringify(option)).join(", ")}`);
  }
  if ("const" in schema && !sameJson(schema.const, value)) problems.push(`${path}: must be ${JSON.stringify(schema.const)}`);

  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof schema.minLength === "number" && length < schema.minLength) problems.push(`${path}: at least ${schema.minLength} characters`);
    if (typeof schema.maxLength === "number" && length > schema.maxLength) problems.push(`${path}: at most ${schema.maxLength} characters`);
    if (typeof schema.pattern === "string" && !matches(schema.pattern, value)) problems.push(`${path}: must match ${schema.pattern}`);
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) problems.push(`${path}: at least ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) problems.push(`${path}: at most ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) problems.push(`${path}: more than ${schema.exclusiveMinimum}`);
    if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) problems.push(`${path}: less than ${schema.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) problems.push(`${path}: at least ${schema.minItems} items`);
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) problems.push(`${path}: at most ${schema.maxItems} items`);
    if (isSchema(schema.items)) value.forEach((item, index) => check(schema.items as Schema, item, `${path}[${index}]`, depth + 1, problems));
  }
  if (isSchema(value)) {
    const properties = isSchema(schema.properties) ? schema.properties : {};
    for (const name of Array.isArray(schema.required) ? schema.required : []) {
      if (typeof name === "string" && !(name in value)) problems.push(`${path}.${name}: required`);
    }
    for (const [name, item] of Object.entries(value)) {
      const property = properties[name];
      if (isSchema(property)) check(property, item, `${path}.${name}`, depth + 1, problems);
      else if (schema.additionalProperties === false) problems.push(`${path}.${name}: not a parameter of this tool`);
      else if (isSchema(schema.additionalProperties)) check(schema.additionalProperties, item, `${path}.${name}`, depth + 1, problems);
    }
  }
}

// A pattern the schema's author wrote that JavaScript cannot compile checks nothing rather than failing every call.
function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
