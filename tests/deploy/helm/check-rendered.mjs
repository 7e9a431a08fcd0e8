// Checks one rendering of the upscalefarm chart (the output of render, as `helm template` prints it):
//   1. shape: every object is valid for its Kubernetes API (kubernetes-models' validators: types,
//      required fields, enums, formats) and has no field its API lacks (walked against the models of
//      @kubernetes/client-node, as `kubectl apply --validate=strict` would); KEDA's objects against
//      schemas/keda-*.schema.json; ServiceMonitor, PrometheusRule and HTTPRoute against the schemas
//      written from the Prometheus Operator's and the Gateway API's CRDs (schemas/crd-to-schema.mjs);
//   2. wiring: every Secret/ConfigMap key a pod or KEDA reads exists, Services select pods and name
//      their ports, the autoscalers target the worker Deployment;
//   3. the chart's promises, computed from the coalesced values: probes, images, roles, GPU resources,
//      graceful shutdown, KEDA (or the HPA fallback), the dispatch window, the settings the services read;
//      every pod against the Pod Security Standards' "restricted" profile with a read-only root filesystem
//      (pod-security.mjs); the bundled SeaweedFS and its identities file (seaweedfs.mjs); the roles' pod
//      knobs, global values, the kept Secret and the helm test (pod-settings.mjs); metrics, ServiceMonitors,
//      alerts, dashboards, Ingress and HTTPRoute (check-monitoring.mjs); the NetworkPolicies, evaluated
//      against the pods (check-network.mjs).
// Usage: node check-rendered.mjs --manifests FILE --values VALUES.json --autoscaler keda|hpa|none --label NAME
//        [--api-versions V1,V2 (the extra API versions it was rendered with)]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { podSecurityViolations } from "./pod-security.mjs";
import { checkSeaweedfs } from "./seaweedfs.mjs";
import { checkPodSettings } from "./pod-settings.mjs";
import { checkMonitoring } from "./check-monitoring.mjs";
import { checkNetworkPolicies } from "./check-network.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
// The tools live in HELM_CHECK_NODE_MODULES (installed by check.sh under .tools/), not beside this file.
const nodeModules = process.env.HELM_CHECK_NODE_MODULES;
const toolRequire = createRequire(path.join(nodeModules, "..", "package.json"));
const YAML = toolRequire("yaml");
const Ajv = toolRequire("ajv").default;

const values = JSON.parse(fs.readFileSync(args.values, "utf8"));
const autoscaler = args.autoscaler;
const label = args.label ?? args.manifests;
const failures = [];
let checks = 0;
const check = (ok, what) => {
  checks++;
  if (!ok) failures.push(what);
  return ok;
};

// ---- parse: one YAML stream, documents grouped by their "# Source:" template
const text = fs.readFileSync(args.manifests, "utf8");
const objects = [];
const kindsBySource = new Map();
// The renderer, like helm template, starts each template's output with "# Source: CHART/templates/FILE".
const chunks = text.split(/^# Source: (\S+)$/m);
for (let i = 1; i < chunks.length; i += 2) {
  const source = chunks[i];
  for (const doc of YAML.parseAllDocuments(chunks[i + 1], { uniqueKeys: true })) {
    if (doc.errors.length) {
      failures.push(`${source}: YAML error: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const o = doc.toJS();
    if (o === null || o === undefined) continue;
    objects.push({ o, source });
    if (!kindsBySource.has(source)) kindsBySource.set(source, new Set());
    kindsBySource.get(source).add(o.kind);
  }
}
check(objects.length > 0, "no objects rendered");
for (const [src, kinds] of kindsBySource) check(kinds.size === 1, `${src} renders more than one kind: ${[...kinds].join(", ")}`);
const seen = new Set();
for (const { o, source } of objects) {
  check(o.apiVersion && o.kind && o.metadata?.name, `${source}: apiVersion, kind and metadata.name are required`);
  const id = `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;
  check(!seen.has(id), `duplicate object ${id}`);
  seen.add(id);
  check(!o.metadata?.namespace, `${id}: sets metadata.namespace (the release namespace applies)`);
}

// ---- 1. shape
const modelPath = (apiVersion, kind) => {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  return group ? `kubernetes-models/${group}/${version}/${kind}.js` : `kubernetes-models/${version}/${kind}.js`;
};
const clientModels = path.join(nodeModules, "@kubernetes/client-node/dist/gen/models");
const classCache = new Map();
async function attributeMap(type) {
  if (!classCache.has(type)) {
    const file = path.join(clientModels, `${type}.js`);
    classCache.set(type, fs.existsSync(file) ? (await import(pathToFileURL(file).href))[type]?.getAttributeTypeMap?.() ?? null : null);
  }
  return classCache.get(type);
}
const leafTypes = new Set(["string", "number", "boolean", "any", "object", "Date", "IntOrString"]);
// Reports fields that the API type does not have: the API server drops (or, strict, refuses) them.
async function unknownFields(value, type, at, out) {
  if (value === null || value === undefined || leafTypes.has(type)) return;
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (Array.isArray(value)) for (const [i, v] of value.entries()) await unknownFields(v, m[1], `${at}[${i}]`, out);
    return;
  }
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    for (const [k, v] of Object.entries(value)) await unknownFields(v, m[1], `${at}.${k}`, out);
    return;
  }
  const attrs = await attributeMap(type);
  if (!attrs) {
    out.push(`${at}: no model for type ${type}`);
    return;
  }
  if (typeof value !== "object" || Array.isArray(value)) return; // the type check is kubernetes-models'
  const byName = new Map(attrs.map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!byName.has(k)) out.push(`${at}.${k}: unknown field`);
    else await unknownFields(v, byName.get(k), `${at}.${k}`, out);
  }
}
const clientType = (apiVersion, kind) => {
  const version = apiVersion.split("/").pop();
  return `${version[0].toUpperCase()}${version.slice(1)}${kind}`;
};
const ajv = new Ajv({ allErrors: true, strict: true });
const kedaSchema = (name) => ajv.compile(JSON.parse(fs.readFileSync(path.join(here, "schemas", name), "utf8")));
const validateScaledObject = kedaSchema("keda-scaledobject.schema.json");
const validateTriggerAuth = kedaSchema("keda-triggerauthentication.schema.json");
const validateRabbitMetadata = kedaSchema("keda-rabbitmq-trigger-metadata.schema.json");
// Other projects' CRDs, by "apiVersion kind": schemas generated from the CRDs (each file's description names its source).
const crdSchemas = new Map([
  ["monitoring.coreos.com/v1 ServiceMonitor", kedaSchema("prometheus-operator-servicemonitor.schema.json")],
  ["monitoring.coreos.com/v1 PrometheusRule", kedaSchema("prometheus-operator-prometheusrule.schema.json")],
  ["gateway.networking.k8s.io/v1 HTTPRoute", kedaSchema("gateway-api-httproute.schema.json")],
]);
const ajvErrors = (v) => (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ""}`).join("; ");

async function validateK8s(o, where) {
  const file = path.join(nodeModules, modelPath(o.apiVersion, o.kind));
  if (!check(fs.existsSync(file), `${where}: kubernetes-models has no ${o.apiVersion} ${o.kind}`)) return;
  const Model = (await import(pathToFileURL(file).href))[o.kind];
  try {
    new Model(o).validate();
    check(true, "");
  } catch (e) {
    check(false, `${where}: ${e.message}`);
  }
  const unknown = [];
  await unknownFields(o, clientType(o.apiVersion, o.kind), o.kind, unknown);
  check(unknown.length === 0, `${where}: ${unknown.join("; ")}`);
}

for (const { o, source } of objects) {
  const where = `${source} ${o.kind}/${o.metadata?.name}`;
  if (o.apiVersion === "keda.sh/v1alpha1") {
    if (o.kind === "ScaledObject") {
      check(validateScaledObject(o), `${where}: ${ajvErrors(validateScaledObject)}`);
      for (const t of o.spec?.triggers ?? [])
        if (t.type === "rabbitmq") check(validateRabbitMetadata(t.metadata), `${where}: rabbitmq trigger metadata: ${ajvErrors(validateRabbitMetadata)}`);
      const behavior = o.spec?.advanced?.horizontalPodAutoscalerConfig?.behavior;
      if (behavior) {
        const hpa = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "behavior" },
          spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "x" }, maxReplicas: 1, behavior } };
        await validateK8s(hpa, `${where} advanced.horizontalPodAutoscalerConfig`);
      }
    } else if (o.kind === "TriggerAuthentication") {
      check(validateTriggerAuth(o), `${where}: ${ajvErrors(validateTriggerAuth)}`);
    } else check(false, `${where}: no schema for this KEDA kind`);
  } else if (crdSchemas.has(`${o.apiVersion} ${o.kind}`)) {
    const validate = crdSchemas.get(`${o.apiVersion} ${o.kind}`);
    check(validate(o), `${where}: ${ajvErrors(validate)}`);
  } else {
    await validateK8s(o, where);
  }
}

// ---- helpers over the rendered objects
const all = objects.map((x) => x.o);
const byKind = (kind) => all.filter((o) => o.kind === kind);
const find = (kind, name) => all.find((o) => o.kind === kind && o.metadata.name === name);
const component = (o) => o.metadata?.labels?.["app.kubernetes.io/component"];
const workload = (kind, comp) => byKind(kind).filter((o) => component(o) === comp);
const one = (kind, comp) => {
  const found = workload(kind, comp);
  check(found.length === 1, `${label}: expected one ${kind} for ${comp}, found ${found.length}`);
  return found[0];
};
// Every pod the chart renders: the templates of Deployments, StatefulSets and Jobs, and Pods (the helm test).
const podSpecs = [
  ...[...byKind("Deployment"), ...byKind("StatefulSet"), ...byKind("Job")].map((o) => ({ o, meta: o.spec.template.metadata, spec: o.spec.template.spec })),
  ...byKind("Pod").map((o) => ({ o, meta: o.metadata, spec: o.spec })),
];
const envOf = (c) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
// The farm's settings (envFrom of every UpscaleFarm pod), not the bundled PostgreSQL's init script.
const configMap = byKind("ConfigMap").find((c) => component(c) === "config");
if (values.postgresql.enabled) {
  const init = byKind("ConfigMap").find((c) => c.metadata.name.endsWith("-postgresql-init"));
  check(/NOSUPERUSER NOCREATEDB NOCREATEROLE/.test(init?.data?.["10-farm-role.sql"] ?? ""), "bundled PostgreSQL: the init script makes the farm's role without superuser, CREATEDB or CREATEROLE");
}
// The Secret with the credentials (component secrets), not the helm test's key Secrets (component helm-test).
const chartSecret = byKind("Secret").find((s) => component(s) === "secrets");
const existingSecret = values.secrets.existingSecret;
const secretName = existingSecret || chartSecret?.metadata.name;
const secretData = Object.fromEntries(Object.entries(chartSecret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
const testSecrets = new Map(byKind("Secret").filter((s) => component(s) === "helm-test").map((s) => [s.metadata.name, s]));

// ---- 2. wiring
check(!!existingSecret === !chartSecret, `${label}: the chart renders its Secret exactly when secrets.existingSecret is empty`);
for (const { o, spec } of podSpecs) {
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref && testSecrets.has(ref.name)) {
        check(ref.key in testSecrets.get(ref.name).data, `${o.metadata.name}/${c.name}: env ${e.name} reads missing key ${ref.key} of Secret ${ref.name}`);
      } else if (ref) {
        check(ref.name === secretName, `${o.metadata.name}/${c.name}: env ${e.name} reads Secret ${ref.name}, not ${secretName}`);
        if (chartSecret && !ref.optional) check(ref.key in secretData, `${o.metadata.name}/${c.name}: env ${e.name} reads missing key ${ref.key}`);
      }
    }
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef) check(!!find("ConfigMap", f.configMapRef.name), `${o.metadata.name}/${c.name}: envFrom ConfigMap ${f.configMapRef.name} is not rendered`);
    }
  }
  const sa = spec.serviceAccountName;
  if (sa && sa !== "default" && values.serviceAccount.create) check(!!find("ServiceAccount", sa), `${o.metadata.name}: ServiceAccount ${sa} is not rendered`);
  for (const v of spec.volumes ?? []) {
    if (v.secret) check(v.secret.secretName === secretName, `${o.metadata.name}: volume ${v.name} mounts Secret ${v.secret.secretName}, not ${secretName}`);
    if (v.secret && chartSecret) for (const it of v.secret.items ?? []) check(it.key in secretData, `${o.metadata.name}: volume ${v.name} mounts missing key ${it.key}`);
    // The chart's own ConfigMaps, not those that extraVolumes bring.
    const extra = ["api", "coordinator", "assembler", "worker"].some((r) => values[r].extraVolumes.some((x) => x.name === v.name && x.configMap));
    if (v.configMap && !extra) check(!!find("ConfigMap", v.configMap.name), `${o.metadata.name}: volume ${v.name} mounts ConfigMap ${v.configMap.name}, which is not rendered`);
  }
  const sel = o.spec.selector?.matchLabels;
  if (sel) for (const [k, v] of Object.entries(sel)) check(o.spec.template.metadata.labels?.[k] === v, `${o.metadata.name}: pod labels miss selector ${k}=${v}`);
  if (o.kind === "StatefulSet") check(!!find("Service", o.spec.serviceName), `${o.metadata.name}: serviceName ${o.spec.serviceName} is not rendered`);
}
for (const svc of byKind("Service")) {
  const pods = podSpecs.filter(({ meta }) => Object.entries(svc.spec.selector).every(([k, v]) => meta.labels?.[k] === v));
  if (!check(pods.length > 0, `Service ${svc.metadata.name} selects no pod`)) continue;
  const names = new Set(pods.flatMap(({ spec }) => spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name))));
  for (const p of svc.spec.ports) check(typeof p.targetPort !== "string" || names.has(p.targetPort), `Service ${svc.metadata.name}: targetPort ${p.targetPort} is no container port`);
}
for (const pdb of byKind("PodDisruptionBudget")) {
  const sel = pdb.spec.selector.matchLabels;
  check(podSpecs.some(({ meta }) => Object.entries(sel).every(([k, v]) => meta.labels?.[k] === v)), `PDB ${pdb.metadata.name} selects no pod`);
}

// ---- 3. the chart's promises
const rel = (x) => x.metadata.name;
const api = one("Deployment", "api");
const roles = ["coordinator", "assembler", "worker"];
const farm = Object.fromEntries(roles.map((r) => [r, one("Deployment", r)]));
if (api) {
  const c = api.spec.template.spec.containers[0];
  check(c.image.includes("upscalefarm/api:"), `api image ${c.image}`);
  check(c.ports?.some((p) => p.name === "http" && p.containerPort === values.api.port), `api port ${values.api.port}`);
  check(envOf(c).ASPNETCORE_HTTP_PORTS?.value === String(values.api.port), "api ASPNETCORE_HTTP_PORTS");
  check(c.livenessProbe?.httpGet?.path === "/health/live" && c.readinessProbe?.httpGet?.path === "/health/ready", "api probes /health/live and /health/ready");
  check(api.spec.replicas === values.api.replicas, "api replicas");
  const env = envOf(c);
  values.api.tenants.forEach((t, i) => {
    check(env[`Api__Tenants__${i}__Name`]?.value === t.name, `api env Api__Tenants__${i}__Name`);
    const key = env[`Api__Tenants__${i}__KeySha256`]?.valueFrom?.secretKeyRef?.key;
    check(!!key, `api env Api__Tenants__${i}__KeySha256 from the Secret`);
    if (chartSecret && key) check(secretData[key] === t.keySha256, `Secret ${key} holds tenant ${i}'s key hash`);
    if ("maxPriority" in t) check(env[`Api__Tenants__${i}__MaxPriority`]?.value === String(t.maxPriority), `api env Api__Tenants__${i}__MaxPriority`);
    if ("maxUploadBytes" in t) check(env[`Api__Tenants__${i}__MaxUploadBytes`]?.value === String(t.maxUploadBytes), `api env Api__Tenants__${i}__MaxUploadBytes (no float formatting)`);
  });
  check(env.Api__AdminKeySha256?.valueFrom?.secretKeyRef?.key === "admin-key-sha256", "api env Api__AdminKeySha256 from the Secret");
  const svc = byKind("Service").find((s) => component(s) === "api");
  check(svc?.spec.ports[0].targetPort === "http", "api Service targets the http port");
}
const expectedImage = { coordinator: "upscalefarm/farm:", assembler: "upscalefarm/farm:", worker: values.worker.mode === "gpu" ? "upscalefarm/worker-gpu:" : "upscalefarm/farm:" };
for (const [role, d] of Object.entries(farm)) {
  if (!d) continue;
  const spec = d.spec.template.spec;
  const c = spec.containers[0];
  const env = envOf(c);
  check(c.image.includes(expectedImage[role]), `${role} image ${c.image}, expected ${expectedImage[role]}`);
  if (values.image.registry) check(c.image.startsWith(values.image.registry.replace(/\/$/, "") + "/"), `${role} image has the registry prefix`);
  check(JSON.stringify(c.args) === JSON.stringify(["serve", "--role", role]), `${role} args: ${JSON.stringify(c.args)}`);
  check(env.Farm__HealthPort?.value === String(values.farm.healthPort), `${role} Farm__HealthPort`);
  const healthPort = c.ports?.find((p) => p.name === "health");
  check(healthPort?.containerPort === values.farm.healthPort, `${role} health port ${values.farm.healthPort}`);
  check(c.livenessProbe?.httpGet?.path === "/health/live" && c.livenessProbe.httpGet.port === "health", `${role} liveness probe`);
  check(c.readinessProbe?.httpGet?.path === "/health/ready" && c.readinessProbe.httpGet.port === "health", `${role} readiness probe`);
  check(env.OTEL_SERVICE_NAME?.value === `upscalefarm-${role}`, `${role} OTEL_SERVICE_NAME`);
}
// Settings every UpscaleFarm container reads (ConfigMap + Secret). Each role has its own S3 user.
const s3UserOf = (role) => (role === "api" || role === "worker" ? role : "farm");
for (const d of [api, ...Object.values(farm)].filter(Boolean)) {
  const c = d.spec.template.spec.containers[0];
  const env = envOf(c);
  check(c.envFrom?.some((f) => f.configMapRef?.name === configMap?.metadata.name), `${rel(d)} reads the ConfigMap`);
  const s3 = s3UserOf(component(d));
  for (const [name, key] of [["Farm__RabbitMqUrl", "rabbitmq-url"], ["Farm__DatabaseConnection", "database-connection"], ["Farm__S3AccessKey", `s3-${s3}-access-key`], ["Farm__S3SecretKey", `s3-${s3}-secret-key`]])
    check(env[name]?.valueFrom?.secretKeyRef?.key === key, `${rel(d)} env ${name} from Secret key ${key}`);
  check(env.Farm__InstanceName !== undefined, `${rel(d)} Farm__InstanceName`);
}
if (check(!!configMap, "ConfigMap rendered")) {
  const cm = configMap.data;
  check(cm.Farm__Transport === "rabbitmq" && cm.Farm__Database === "postgres" && cm.Farm__Storage === "s3", "ConfigMap: rabbitmq, postgres, s3");
  check(cm.Farm__ModelsDirectory === "/app/models" || cm.Farm__ModelsDirectory === values.farm.modelsDirectory, "ConfigMap: Farm__ModelsDirectory");
  check(cm.Farm__S3Bucket === values.farm.s3Bucket, "ConfigMap: Farm__S3Bucket");
  const s3 = values.seaweedfs.enabled ? /^http:\/\/[a-z0-9-]+-seaweedfs:8333$/ : new RegExp(`^${values.externalS3.serviceUrl.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);
  check(s3.test(cm.Farm__S3ServiceUrl), `ConfigMap: Farm__S3ServiceUrl ${cm.Farm__S3ServiceUrl}`);
  check((cm.OTEL_EXPORTER_OTLP_ENDPOINT ?? "") === values.otel.endpoint, "ConfigMap: OTEL_EXPORTER_OTLP_ENDPOINT exactly when otel.endpoint is set");
}
// Credentials and the services they point at.
if (chartSecret) {
  const services = new Map(byKind("Service").map((s) => [s.metadata.name, s.spec.ports.map((p) => p.port)]));
  const pointsAt = (url, port) => {
    const u = new URL(url);
    return services.has(u.hostname) && services.get(u.hostname).includes(port) && Number(u.port) === port;
  };
  if (values.rabbitmq.enabled) {
    check(/^amqp:\/\/[^:]+:[A-Za-z0-9]+@[^:]+:5672\/$/.test(secretData["rabbitmq-url"]) && pointsAt(secretData["rabbitmq-url"], 5672), `rabbitmq-url ${secretData["rabbitmq-url"]}`);
    check(/^http:\/\/[^:]+:[A-Za-z0-9]+@[^:]+:15672\/$/.test(secretData["rabbitmq-management-url"]) && pointsAt(secretData["rabbitmq-management-url"], 15672), "rabbitmq-management-url");
    check(secretData["rabbitmq-url"].includes(`//${secretData["rabbitmq-username"]}:${secretData["rabbitmq-password"]}@`), "rabbitmq-url carries the farm's user");
    check(secretData["rabbitmq-username"] === values.rabbitmq.username && secretData["rabbitmq-admin-username"] === values.rabbitmq.adminUsername
      && secretData["rabbitmq-monitoring-username"] === values.rabbitmq.monitoringUsername, "RabbitMQ user names from values");
    const users = ["rabbitmq-username", "rabbitmq-admin-username", "rabbitmq-monitoring-username"].map((k) => secretData[k]);
    const passwords = ["rabbitmq-password", "rabbitmq-admin-password", "rabbitmq-monitoring-password"].map((k) => secretData[k]);
    check(new Set(users).size === 3 && new Set(passwords).size === 3 && passwords.every((x) => x?.length >= 8), "RabbitMQ: the farm, the administrator and KEDA are three users with their own passwords");
    check(secretData["rabbitmq-management-url"].startsWith(`http://${secretData["rabbitmq-monitoring-username"]}:${secretData["rabbitmq-monitoring-password"]}@`), "rabbitmq-management-url (KEDA) carries the monitoring user, not the administrator");
  } else {
    check(secretData["rabbitmq-url"] === values.externalRabbitmq.url, "rabbitmq-url is externalRabbitmq.url");
  }
  if (values.postgresql.enabled) {
    const cs = Object.fromEntries(secretData["database-connection"].split(";").map((kv) => kv.split("=")));
    check(services.get(cs.Host)?.includes(5432) && cs.Username === values.postgresql.username && cs.Password === secretData["postgres-password"] && cs.Database === "upscalefarm", `database-connection ${secretData["database-connection"]}`);
  } else check(secretData["database-connection"] === values.externalPostgresql.connectionString, "database-connection is externalPostgresql.connectionString");
  const s3Users = ["api", "farm", "worker"];
  for (const u of s3Users) {
    const [ak, sk] = [secretData[`s3-${u}-access-key`], secretData[`s3-${u}-secret-key`]];
    check(ak?.length > 0 && sk?.length >= 8, `S3 key of ${u}`);
    if (values.seaweedfs.enabled) {
      check(ak === values.seaweedfs.users[u].accessKey && sk.length <= 40, `S3 user ${u}: access key from seaweedfs.users.${u}, secret key of 8 to 40 characters`);
    } else {
      const own = values.externalS3[u];
      check(ak === (own.accessKey || values.externalS3.accessKey) && sk === (own.secretKey || values.externalS3.secretKey), `S3 user ${u}: externalS3.${u}, else the shared key`);
    }
  }
  if (values.seaweedfs.enabled) {
    check(new Set(s3Users.map((u) => secretData[`s3-${u}-access-key`])).size === 3, "bundled SeaweedFS: three distinct S3 users");
    check(new Set(s3Users.map((u) => secretData[`s3-${u}-secret-key`])).size === 3, "bundled SeaweedFS: three distinct S3 secret keys");
  }
  check(!Object.keys(secretData).some((k) => k.startsWith("minio-")), "no MinIO key in the Secret");
  check(!("s3-access-key" in secretData) && !("s3-secret-key" in secretData), "the Secret has no shared s3-access-key/s3-secret-key (one S3 user per role)");
}
// Least privilege: the Secret keys each pod (and KEDA) references, exactly. A pod that reads a key of
// another role (the API with SeaweedFS's identities file, a worker with the PostgreSQL superuser, …) fails
// here. Keys of a Secret other than the credentials' are named SECRET:KEY (the helm test's).
{
  const helmTestKeySecret = [...testSecrets.values()].find((s) => "api-key" in (s.data ?? {}))?.metadata.name;
  const helmTestTenantSecret = [...testSecrets.values()].find((s) => "key-sha256" in (s.data ?? {}))?.metadata.name;
  const farmKeys = (s3) => ["rabbitmq-url", "database-connection", `s3-${s3}-access-key`, `s3-${s3}-secret-key`];
  const expected = {
    api: [...farmKeys("api"), "admin-key-sha256", ...values.api.tenants.flatMap((_, i) => [`tenant-${i}-key-sha256`, `tenant-${i}-webhook-secret`]),
      ...(values.tests.enabled ? [`${helmTestTenantSecret}:key-sha256`] : [])],
    coordinator: farmKeys("farm"),
    assembler: farmKeys("farm"),
    worker: farmKeys("worker"),
    rabbitmq: ["rabbitmq-admin-username", "rabbitmq-admin-password"],
    "rabbitmq-users": ["rabbitmq-admin-username", "rabbitmq-admin-password", "rabbitmq-username", "rabbitmq-password", "rabbitmq-monitoring-username", "rabbitmq-monitoring-password"],
    postgresql: ["postgres-superuser-password", "postgres-password"],
    seaweedfs: ["seaweedfs-s3-config"],
    "seaweedfs-bucket": [],
    "helm-test": [`${helmTestKeySecret}:api-key`],
  };
  const keyName = (secret, key) => (secret === secretName ? key : `${secret}:${key}`);
  const keysOf = (spec) => {
    const keys = new Set();
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) keys.add(keyName(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key));
      for (const f of c.envFrom ?? []) if (f.secretRef) keys.add(`(every key of Secret ${f.secretRef.name}, envFrom)`);
    }
    for (const v of spec.volumes ?? []) {
      // A Secret volume with items holds those keys only; without, every key.
      if (v.secret?.items) for (const it of v.secret.items) keys.add(keyName(v.secret.secretName, it.key));
      else if (v.secret) keys.add(`(Secret ${v.secret.secretName} as volume ${v.name})`);
      for (const s of v.projected?.sources ?? []) if (s.secret) keys.add(`(Secret ${s.secret.name} projected in volume ${v.name})`);
    }
    return keys;
  };
  const sameSet = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
  for (const { o, spec } of podSpecs) {
    const comp = component(o);
    const got = keysOf(spec);
    if (!check(comp in expected, `${o.kind}/${o.metadata.name}: component ${comp} has no list of the Secret keys it may read`)) continue;
    const want = new Set(expected[comp]);
    check(sameSet(got, want), `${o.kind}/${o.metadata.name} (${comp}) reads Secret keys [${[...got].sort().join(", ")}], expected exactly [${[...want].sort().join(", ")}]`
      + ([...got].filter((k) => !want.has(k)).length ? `; not its own: ${[...got].filter((k) => !want.has(k)).join(", ")}` : ""));
  }
  for (const ta of byKind("TriggerAuthentication")) {
    const got = new Set((ta.spec.secretTargetRef ?? []).map((r) => r.key));
    check(sameSet(got, new Set(["rabbitmq-management-url"])), `TriggerAuthentication ${ta.metadata.name} (KEDA) reads [${[...got].join(", ")}], expected only rabbitmq-management-url`);
  }
}
// The one-shot Jobs that make the bundled services' users (plain Jobs, not hooks: helm --wait would wait
// for farm pods that need those users).
for (const [comp, enabled, patterns] of [
  // (The bucket script itself, deploy/seaweedfs/init.sh from a ConfigMap, is checked by seaweedfs.mjs.)
  ["seaweedfs-bucket", values.seaweedfs.enabled, [/^sh \/init\/init\.sh$/]],
  ["rabbitmq-users", values.rabbitmq.enabled, [/declare user --name "\$RABBITMQ_FARM_USER" --password "\$RABBITMQ_FARM_PASSWORD" --tags ""\n/,
    /declare permissions --user "\$RABBITMQ_FARM_USER" --configure "\.\*" --write "\.\*" --read "\.\*"/,
    /declare user --name "\$RABBITMQ_MONITORING_USER" --password "\$RABBITMQ_MONITORING_PASSWORD" --tags monitoring\n/,
    /declare permissions --user "\$RABBITMQ_MONITORING_USER" --configure '\^\$' --write '\^\$' --read '\^\$'/]],
]) {
  const jobs = workload("Job", comp);
  if (!check(jobs.length === (enabled ? 1 : 0), `${comp}: a Job exactly when its service is bundled`) || !enabled) continue;
  const job = jobs[0];
  check(!job.metadata.annotations?.["helm.sh/hook"], `${comp} Job: not a Helm hook`);
  check(/-[0-9a-f]{8}$/.test(job.metadata.name), `${comp} Job: named after a hash of its pod template (${job.metadata.name})`);
  const script = job.spec.template.spec.containers[0].command.join(" ");
  for (const p of patterns) check(p.test(script), `${comp} Job script: ${p}`);
}
// Bundled services: StatefulSets with volumes (quorum queues need a disk), or nothing with external endpoints.
for (const [name, port] of [["rabbitmq", 5672], ["postgresql", 5432], ["seaweedfs", 8333]]) {
  const sts = workload("StatefulSet", name);
  if (values[name].enabled) {
    if (check(sts.length === 1, `${name}: one StatefulSet`)) {
      check(sts[0].spec.volumeClaimTemplates?.length === 1, `${name}: a PersistentVolumeClaim template`);
      check(byKind("Service").some((s) => component(s) === name && s.spec.ports.some((p) => p.port === port) && s.spec.clusterIP !== "None"), `${name}: a Service on ${port}`);
    }
  } else check(sts.length === 0 && !byKind("Service").some((s) => component(s) === name), `${name}: disabled, nothing rendered`);
}
if (values.rabbitmq.enabled) {
  const image = workload("StatefulSet", "rabbitmq")[0]?.spec.template.spec.containers[0].image ?? "";
  check(/:4\.[0-9.]*-management/.test(image), `RabbitMQ image ${image} is a 4.x management image`);
}
// PodDisruptionBudgets.
for (const comp of ["api", "coordinator", "assembler", "worker"])
  check(byKind("PodDisruptionBudget").filter((p) => component(p) === comp).length === (values[comp].podDisruptionBudget.enabled ? 1 : 0), `${comp}: PodDisruptionBudget`);

// Workers: GPU or CPU, graceful shutdown.
const worker = farm.worker;
if (worker) {
  const spec = worker.spec.template.spec;
  const c = spec.containers[0];
  const env = envOf(c);
  const gpuLimit = c.resources?.limits?.["nvidia.com/gpu"];
  if (values.worker.mode === "gpu") {
    check(gpuLimit === values.worker.gpu.count, `worker: resources.limits."nvidia.com/gpu" is ${gpuLimit}, expected ${values.worker.gpu.count}`);
    // Rendered only when set: an absent RuntimeClass (GKE, EKS/AKS without the GPU Operator) blocks the pods.
    check(spec.runtimeClassName === (values.worker.gpu.runtimeClassName || undefined), `worker: runtimeClassName ${spec.runtimeClassName}, expected ${values.worker.gpu.runtimeClassName || "unset"}`);
    for (const t of values.worker.gpu.tolerations) check(spec.tolerations?.some((x) => x.key === t.key && x.effect === t.effect), `worker: toleration ${t.key}:${t.effect}`);
    for (const [k, v] of Object.entries(values.worker.gpu.nodeSelector)) check(spec.nodeSelector?.[k] === v, `worker: nodeSelector ${k}`);
    check(env.Farm__Worker__Device?.value === values.worker.gpu.device, "worker: Farm__Worker__Device");
  } else {
    check(gpuLimit === undefined && c.resources?.requests?.["nvidia.com/gpu"] === undefined, "CPU worker: no nvidia.com/gpu");
    check(spec.runtimeClassName === undefined, "CPU worker: no runtimeClassName");
    check(!(spec.tolerations ?? []).some((t) => t.key === "nvidia.com/gpu"), "CPU worker: no GPU toleration");
    check(env.Farm__Worker__Device?.value === "cpu", "CPU worker: Farm__Worker__Device cpu");
  }
  const flavour = values.worker[values.worker.mode];
  check(env.Farm__Worker__BatchSize?.value === String(flavour.batchSize), "worker: Farm__Worker__BatchSize");
  check(env.Farm__Worker__ConcurrentTiles?.value === String(flavour.concurrentTiles), "worker: Farm__Worker__ConcurrentTiles");
  check(spec.terminationGracePeriodSeconds === values.worker.terminationGracePeriodSeconds && spec.terminationGracePeriodSeconds > 60,
    `worker: terminationGracePeriodSeconds ${spec.terminationGracePeriodSeconds} above the worker's 60 s stop timeout`);
  check(worker.spec.strategy?.rollingUpdate?.maxSurge === 0, "worker: rolling update without a surge pod");
  check((autoscaler === "none") === (worker.spec.replicas !== undefined), "worker: replicas set only without an autoscaler");
}

// Autoscaling: KEDA or the HPA fallback, never both.
const a = values.worker.autoscaling;
const scaledObjects = byKind("ScaledObject");
const hpas = byKind("HorizontalPodAutoscaler");
const window = Number(envOf(farm.coordinator?.spec.template.spec.containers[0] ?? {}).Farm__Coordinator__DispatchWindow?.value);
check(Number.isInteger(window) && window > 0, `coordinator: Farm__Coordinator__DispatchWindow ${window}`);
if (values.coordinator.dispatchWindow === 0) check(window === Math.max(512, 2 * a.maxReplicas * a.tilesPerReplica), `dispatch window ${window} = max(512, 2 × max × value)`);
else check(window === values.coordinator.dispatchWindow, "dispatch window from values");
if (autoscaler === "keda") {
  check(hpas.length === 0, "KEDA: no HorizontalPodAutoscaler");
  if (check(scaledObjects.length === 1, "KEDA: one ScaledObject")) {
    const so = scaledObjects[0].spec;
    check(so.scaleTargetRef.name === worker?.metadata.name && (so.scaleTargetRef.kind ?? "Deployment") === "Deployment", "ScaledObject targets the worker Deployment");
    check(so.minReplicaCount === a.minReplicas && so.minReplicaCount === 0, `ScaledObject minReplicaCount ${so.minReplicaCount} (scale to zero)`);
    check(so.maxReplicaCount === a.maxReplicas, "ScaledObject maxReplicaCount");
    const t = so.triggers.find((x) => x.type === "rabbitmq");
    if (check(!!t, "ScaledObject: a rabbitmq trigger")) {
      check(t.metadata.protocol === "http", "rabbitmq trigger: protocol http (counts unacknowledged tiles)");
      check(t.metadata.mode === "QueueLength" && t.metadata.value === String(a.tilesPerReplica), "rabbitmq trigger: QueueLength, value = tilesPerReplica");
      check(t.metadata.queueName === "tile-job" && t.metadata.vhostName === "/", "rabbitmq trigger: tile-job on /");
      check(!t.metadata.host && !t.metadata.hostFromEnv, "rabbitmq trigger: no credentials in the ScaledObject");
      const ta = find("TriggerAuthentication", t.authenticationRef?.name);
      if (check(!!ta, "the TriggerAuthentication it names is rendered")) {
        const ref = ta.spec.secretTargetRef.find((r) => r.parameter === "host");
        check(ref?.name === secretName && ref?.key === "rabbitmq-management-url", "TriggerAuthentication: host from the Secret's rabbitmq-management-url");
        if (chartSecret) check(/^https?:\/\/[^@]+@[^/]+\/$/.test(secretData["rabbitmq-management-url"] ?? ""), "the management URL has credentials and a trailing slash");
      }
    }
    check(window >= so.maxReplicaCount * Number(t?.metadata.value), `dispatch window ${window} >= maxReplicaCount × value (${so.maxReplicaCount * Number(t?.metadata.value)})`);
  }
} else {
  check(scaledObjects.length === 0 && byKind("TriggerAuthentication").length === 0, `${autoscaler}: no KEDA objects`);
  if (autoscaler === "hpa" && check(hpas.length === 1, "HPA fallback: one HorizontalPodAutoscaler")) {
    const h = hpas[0].spec;
    check(h.scaleTargetRef.name === worker?.metadata.name, "HPA targets the worker Deployment");
    check(h.minReplicas >= 1 && h.minReplicas === a.hpaMinReplicas && h.maxReplicas === a.maxReplicas, "HPA: min (>= 1) and max replicas");
    check(h.metrics.some((m) => m.type === "Resource" && m.resource.name === "cpu"), "HPA: on CPU");
  }
  if (autoscaler === "none") check(hpas.length === 0, "none: no HPA");
}

// Pod Security Standards "restricted" (and baseline) for every pod, field by field, and the chart's
// read-only root filesystem.
for (const { o, meta, spec } of podSpecs) {
  const violations = podSecurityViolations(`${o.kind}/${o.metadata.name}`, meta, spec);
  check(violations.length === 0, `restricted Pod Security Standard: ${violations.join("; ")}`);
}
checkSeaweedfs({ all, values, secretData, chartSecret, check, label });
checkPodSettings({ all, podSpecs, values, chartSecret, check, label });
const apiVersions = (args["api-versions"] ?? "").split(",").filter(Boolean);
checkMonitoring({ all, podSpecs, values, apiVersions, autoscaler, check, label });
checkNetworkPolicies({ all, podSpecs, values, autoscaler, check, label });

if (failures.length) {
  console.error(`FAIL ${label}: ${failures.length} of ${checks} checks failed`);
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log(`ok   ${label}: ${objects.length} objects, ${checks} checks (${[...new Set(all.map((o) => o.kind))].sort().join(", ")})`);
