// Writes a closed draft-07 JSON schema for one version of a CustomResourceDefinition, for
// check-rendered.mjs to validate the chart's objects of that kind without a cluster.
//
//   HELM_CHECK_NODE_MODULES=.tools/helm-check/node/node_modules \
//     node crd-to-schema.mjs CRD.yaml VERSION "SOURCE (repository, tag, commit, path)" > KIND.schema.json
//
// The schemas in this folder were made this way from the CRD files named in their "description"; the
// CRDs themselves are not kept here (hundreds of KB of descriptions) and this machine cannot fetch them,
// so check.sh validates with the committed output and does not regenerate it.
//
// What the API server does with the CRD's openAPIV3Schema, and how it is carried over:
//   - an object with properties and without x-kubernetes-preserve-unknown-fields is closed: the server
//     prunes (or, with kubectl --validate=strict, refuses) unknown fields, so a misspelt field would be
//     dropped silently; here it is an error (additionalProperties: false);
//   - types, required, enum, pattern, lengths, item counts, minimum/maximum (OpenAPI 3.0's boolean
//     exclusiveMinimum/Maximum become draft-07 numbers), int32 bounds, x-kubernetes-int-or-string,
//     nullable and the CRD's own oneOf/anyOf/allOf/not are kept;
//   - descriptions, defaults, list/map types and formats are dropped (formats are advisory in the
//     server's OpenAPI validation of CRDs, except int32/int64 bounds), and x-kubernetes-validations
//     (CEL) cannot be evaluated here: the number left unchecked is written into the description;
//   - metadata is the part the chart writes (name, labels, annotations), closed; status is left out.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const [crdFile, version, source] = process.argv.slice(2);
if (!crdFile || !version || !source) {
  console.error("usage: node crd-to-schema.mjs CRD.yaml VERSION SOURCE");
  process.exit(2);
}
const toolRequire = createRequire(path.join(process.env.HELM_CHECK_NODE_MODULES ?? "node_modules", "..", "package.json"));
const YAML = toolRequire("yaml");

const crd = YAML.parseAllDocuments(fs.readFileSync(crdFile, "utf8")).map((d) => d.toJS()).find((d) => d?.kind === "CustomResourceDefinition");
const v = crd.spec.versions.find((x) => x.name === version);
if (!v) throw new Error(`${crdFile}: no version ${version}`);
let cel = 0;

// Go's RE2 (the API server) takes an inline (?i); JavaScript does not: each letter becomes [xX].
function jsPattern(p) {
  if (!p.includes("(?i)")) return p;
  let out = "";
  let inClass = false;
  const body = p.replace("(?i)", "");
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") { out += c + body[++i]; continue; }
    if (c === "[") inClass = true;
    if (c === "]") inClass = false;
    out += !inClass && /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

const INT32 = { minimum: -2147483648, maximum: 2147483647 };
function convert(s) {
  if (s === undefined || s === null) return {};
  if (s["x-kubernetes-validations"]) cel += s["x-kubernetes-validations"].length;
  if (s["x-kubernetes-int-or-string"]) {
    return { anyOf: [{ type: "integer" }, { type: "string", ...(s.pattern ? { pattern: jsPattern(s.pattern) } : {}) }] };
  }
  const out = {};
  if (s.type) out.type = s.type;
  if (s.pattern !== undefined) out.pattern = jsPattern(s.pattern);
  for (const k of ["enum", "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "multipleOf", "uniqueItems"])
    if (s[k] !== undefined) out[k] = s[k];
  if (s.type === "integer" && s.format === "int32") Object.assign(out, INT32);
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum === true) out.exclusiveMinimum = s.minimum;
    else out.minimum = s.minimum;
  }
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum === true) out.exclusiveMaximum = s.maximum;
    else out.maximum = s.maximum;
  }
  for (const k of ["oneOf", "anyOf", "allOf"]) if (s[k]) out[k] = s[k].map(convert);
  if (s.not) out.not = convert(s.not);
  if (s.items) out.items = convert(s.items);
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, x]) => [k, convert(x)]));
    if (s.required) out.required = s.required;
    if (!s["x-kubernetes-preserve-unknown-fields"]) out.additionalProperties = false;
  } else if (s.required) out.required = s.required;
  if (s.additionalProperties !== undefined && typeof s.additionalProperties === "object") out.additionalProperties = convert(s.additionalProperties);
  if (s.nullable) return { anyOf: [out, { type: "null" }] };
  return out;
}

const spec = convert(v.schema.openAPIV3Schema.properties.spec);
const group = crd.spec.group;
const kind = crd.spec.names.kind;
const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: `${kind} (${group}/${version})`,
  description: `Generated for tests/deploy/helm by schemas/crd-to-schema.mjs from the openAPIV3Schema of ${source}, version ${version}: `
    + "closed wherever the CRD is a structural schema without x-kubernetes-preserve-unknown-fields (the API server prunes unknown fields silently). "
    + `Not checked here: ${cel} CEL rules (x-kubernetes-validations) and string formats.`,
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: `${group}/${version}` },
    kind: { const: kind },
    metadata: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: {
        name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", maxLength: 253 },
        labels: { type: "object", additionalProperties: { type: "string" } },
        annotations: { type: "object", additionalProperties: { type: "string" } },
      },
    },
    spec,
  },
};
process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
