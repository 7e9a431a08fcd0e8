// Pod settings of the chart, checked on one rendering against the coalesced values (used by check-rendered.mjs):
//   - the pod knobs of each UpscaleFarm role: podLabels (global, then the role's; the chart's labels win),
//     priorityClassName, topologySpreadConstraints (a constraint without labelSelector gets the role's
//     selector labels), extraVolumes and extraVolumeMounts;
//   - global.imageRegistry before every image, global.imagePullSecrets and imagePullSecrets on every pod;
//   - the Secret's helm.sh/resource-policy: keep (secrets.keep);
//   - `helm test`: the test pod and its input (test hooks), the generated key in a Secret of its own, and
//     the API's tenant "helm-test" whose KeySha256 is that key's SHA-256.
import crypto from "node:crypto";

const roles = ["api", "coordinator", "assembler", "worker"];
const stable = (x) => JSON.stringify(x, (k, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v));

export function checkPodSettings({ all, podSpecs, values, chartSecret, check, label }) {
  const component = (o) => o.metadata?.labels?.["app.kubernetes.io/component"];
  const deployment = (role) => all.find((o) => o.kind === "Deployment" && component(o) === role);

  // ---- the roles' knobs
  for (const role of roles) {
    const d = deployment(role);
    if (!d) continue;
    const v = values[role];
    const spec = d.spec.template.spec;
    const labels = d.spec.template.metadata.labels ?? {};
    for (const [k, want] of Object.entries({ ...values.podLabels, ...v.podLabels })) {
      if (k in d.spec.selector.matchLabels || k.startsWith("app.kubernetes.io/") || k === "helm.sh/chart") continue; // the chart's own win
      check(labels[k] === want, `${role} pods: label ${k}=${want} (podLabels), has ${labels[k]}`);
    }
    for (const [k, want] of Object.entries(d.spec.selector.matchLabels)) check(labels[k] === want, `${role} pods: selector label ${k} kept over podLabels`);
    check(spec.priorityClassName === (v.priorityClassName || undefined), `${role}: priorityClassName ${spec.priorityClassName}, expected ${v.priorityClassName || "unset"}`);
    const want = v.topologySpreadConstraints.map((c) => ("labelSelector" in c ? c : { ...c, labelSelector: { matchLabels: d.spec.selector.matchLabels } }));
    check(stable(spec.topologySpreadConstraints ?? []) === stable(want), `${role}: topologySpreadConstraints ${stable(spec.topologySpreadConstraints)}, expected ${stable(want)}`);
    for (const vol of v.extraVolumes)
      check(stable((spec.volumes ?? []).find((x) => x.name === vol.name)) === stable(vol), `${role}: extraVolumes ${vol.name}`);
    for (const m of v.extraVolumeMounts)
      check(spec.containers.every((c) => (c.volumeMounts ?? []).some((x) => stable(x) === stable(m))), `${role}: extraVolumeMounts ${m.name} at ${m.mountPath}`);
    for (const m of v.extraVolumeMounts) check((spec.volumes ?? []).some((x) => x.name === m.name), `${role}: extraVolumeMounts ${m.name} names a volume`);
  }

  // ---- images and pull secrets of every pod
  const global = values.global ?? {};
  const names = [...new Set([...(global.imagePullSecrets ?? []).map((x) => (typeof x === "string" ? x : x.name)), ...values.imagePullSecrets])];
  for (const { o, spec } of podSpecs) {
    const got = (spec.imagePullSecrets ?? []).map((x) => x.name);
    check(stable(got) === stable(names), `${o.kind}/${o.metadata.name}: imagePullSecrets [${got}], expected [${names}] (global.imagePullSecrets, imagePullSecrets)`);
    if (global.imageRegistry)
      for (const c of [...(spec.initContainers ?? []), ...spec.containers])
        check(c.image.startsWith(`${global.imageRegistry.replace(/\/$/, "")}/`), `${o.kind}/${o.metadata.name}/${c.name}: image ${c.image} under global.imageRegistry`);
  }

  // ---- the Secret outlives the release (secrets.keep)
  if (chartSecret)
    check((chartSecret.metadata.annotations?.["helm.sh/resource-policy"] === "keep") === values.secrets.keep,
      `Secret ${chartSecret.metadata.name}: helm.sh/resource-policy keep exactly when secrets.keep (${values.secrets.keep})`);

  // ---- helm test
  const hooks = all.filter((o) => o.metadata.annotations?.["helm.sh/hook"]);
  const testPods = all.filter((o) => o.kind === "Pod");
  const helmTest = all.filter((o) => component(o) === "helm-test");
  const api = deployment("api");
  const apiEnv = Object.fromEntries((api?.spec.template.spec.containers[0].env ?? []).map((e) => [e.name, e]));
  const n = values.api.tenants.length;
  check(hooks.every((o) => o.metadata.annotations["helm.sh/hook"] === "test" && component(o) === "helm-test"), `${label}: the only hooks are the helm test's`);
  if (!values.tests.enabled) {
    check(helmTest.length === 0 && testPods.length === 0, "tests.enabled false: no helm test objects");
    check(!apiEnv[`Api__Tenants__${n}__Name`], "tests.enabled false: no tenant helm-test");
    return;
  }
  const pod = testPods[0];
  if (!check(testPods.length === 1 && pod.metadata.annotations?.["helm.sh/hook"] === "test", "helm test: one Pod, a test hook")) return;
  check(pod.spec.restartPolicy === "Never" && pod.spec.activeDeadlineSeconds === values.tests.timeoutSeconds, "helm test pod: restartPolicy Never, activeDeadlineSeconds tests.timeoutSeconds");
  const c = pod.spec.containers[0];
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
  check(c.image.includes(`${values.tests.image.repository}:`), `helm test pod image ${c.image}`);
  const svc = all.find((o) => o.kind === "Service" && component(o) === "api");
  check(env.UPSCALEFARM_API?.value === `http://${svc?.metadata.name}:${values.api.service.port}/`, `helm test pod: UPSCALEFARM_API ${env.UPSCALEFARM_API?.value} is the API Service`);
  const keyRef = env.UPSCALEFARM_API_KEY?.valueFrom?.secretKeyRef;
  const keySecret = all.find((o) => o.kind === "Secret" && o.metadata.name === keyRef?.name);
  check(!!keySecret && keyRef.key === "api-key" && component(keySecret) === "helm-test", "helm test pod: UPSCALEFARM_API_KEY from the helm test key Secret's api-key");
  const script = (c.command ?? []).join(" ");
  for (const p of [/upscalefarm\.dll submit \/input\/tiny\.png --format png --wait --output \/tmp\/result\.png/, /= 89504e470d0a1a0a/, /-gt 32/])
    check(p.test(script), `helm test script: ${p}`);
  const input = all.find((o) => o.kind === "ConfigMap" && component(o) === "helm-test");
  const inputVolume = (pod.spec.volumes ?? []).find((v) => v.configMap?.name === input?.metadata.name);
  check(!!inputVolume && (c.volumeMounts ?? []).some((m) => m.name === inputVolume.name && m.mountPath === "/input"), "helm test pod: the input ConfigMap at /input");
  const png = Buffer.from(input?.binaryData?.["tiny.png"] ?? "", "base64");
  check(png.subarray(0, 8).toString("hex") === "89504e470d0a1a0a" && png.readUInt32BE(16) === 32 && png.readUInt32BE(20) === 32,
    "helm test input: tiny.png is a 32 × 32 PNG");
  check(input?.metadata.annotations?.["helm.sh/hook"] === "test" && Number(input.metadata.annotations["helm.sh/hook-weight"]) < Number(pod.metadata.annotations["helm.sh/hook-weight"] ?? 0),
    "helm test input: a test hook created before the pod");
  // The tenant: KeySha256 from a Secret of its own, the SHA-256 of the key the test pod reads.
  check(apiEnv[`Api__Tenants__${n}__Name`]?.value === "helm-test", `api env Api__Tenants__${n}__Name is helm-test (after api.tenants)`);
  const hashRef = apiEnv[`Api__Tenants__${n}__KeySha256`]?.valueFrom?.secretKeyRef;
  const hashSecret = all.find((o) => o.kind === "Secret" && o.metadata.name === hashRef?.name);
  check(!!hashSecret && hashRef.key === "key-sha256" && hashSecret !== keySecret, "api: the helm-test tenant's KeySha256 from a Secret without the key itself");
  const key = Buffer.from(keySecret?.data?.["api-key"] ?? "", "base64").toString("utf8");
  const hash = Buffer.from(hashSecret?.data?.["key-sha256"] ?? "", "base64").toString("utf8");
  check(key.length >= 32 && /^[A-Za-z0-9]+$/.test(key), "helm test key: at least 32 alphanumeric characters");
  check(hash === crypto.createHash("sha256").update(key, "utf8").digest("hex"), "helm-test tenant: key-sha256 is the SHA-256 of the test key");
  check(Object.keys(keySecret?.data ?? {}).join() === "api-key" && Object.keys(hashSecret?.data ?? {}).join() === "key-sha256", "helm test Secrets: one key each");
  check(apiEnv[`Api__Tenants__${n}__MaxConcurrentJobs`]?.value === "1", "helm-test tenant: one job at a time");
}
