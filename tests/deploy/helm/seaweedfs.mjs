import { readFileSync } from "node:fs";
// The bundled SeaweedFS, checked on one rendering (used by check-rendered.mjs):
//   - its S3 identities file (Secret key seaweedfs-s3-config, s3.json): exactly the three farm roles, each
//     with one credential equal to the s3-ROLE-access-key / s3-ROLE-secret-key pair the role's pods read and
//     exactly the actions Read, Write and List scoped to farm.s3Bucket ("Action:bucket", the form
//     weed/s3api/auth_credentials.go's CanDo matches); no admin identity, nothing but identities;
//   - the StatefulSet: `weed server` with the S3 gateway on 8333 reading that file, which is mounted alone
//     from the Secret where -s3.config points; probes on GET /healthz of the S3 port; the data volume at -dir;
//   - the Service: the S3, metrics and master/filer gRPC ports, and no HTTP port of the master, filer or
//     volume server;
//   - the bucket Job: `weed shell` against that Service, listing before creating farm.s3Bucket.

const roles = ["api", "farm", "worker"];
const sameList = (a, b) => Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);

export function checkSeaweedfs({ all, values, secretData, chartSecret, check, label }) {
  const component = (o) => o.metadata?.labels?.["app.kubernetes.io/component"];
  const sts = all.find((o) => o.kind === "StatefulSet" && component(o) === "seaweedfs");
  const svc = all.find((o) => o.kind === "Service" && component(o) === "seaweedfs" && o.spec.clusterIP !== "None");
  const job = all.find((o) => o.kind === "Job" && component(o) === "seaweedfs-bucket");
  if (!values.seaweedfs.enabled) {
    check(!sts && !svc && !job, `${label}: seaweedfs disabled, yet a SeaweedFS object is rendered`);
    if (chartSecret) check(!("seaweedfs-s3-config" in secretData), "external S3: no SeaweedFS identities file in the Secret");
    return;
  }
  const bucket = values.farm.s3Bucket;

  // ---- the identities file
  if (chartSecret) {
    let config;
    try {
      config = JSON.parse(secretData["seaweedfs-s3-config"] ?? "");
    } catch (e) {
      check(false, `seaweedfs-s3-config is not JSON: ${e.message}`);
    }
    if (config) {
      check(sameList(Object.keys(config), ["identities"]), `s3.json: only "identities" (no accounts, policies or service accounts), has ${Object.keys(config).join(", ")}`);
      const ids = config.identities ?? [];
      check(ids.length === 3, `s3.json: exactly three identities, has ${ids.length}`);
      const wantActions = [`Read:${bucket}`, `Write:${bucket}`, `List:${bucket}`];
      for (const role of roles) {
        const ak = secretData[`s3-${role}-access-key`];
        const sk = secretData[`s3-${role}-secret-key`];
        const matching = ids.filter((i) => (i.credentials ?? []).some((c) => c.accessKey === ak));
        if (!check(matching.length === 1, `s3.json: one identity with the ${role} role's access key ${ak}, found ${matching.length}`)) continue;
        const id = matching[0];
        check(id.credentials.length === 1 && id.credentials[0].secretKey === sk,
          `s3.json: identity ${id.name} has one credential, with s3-${role}-secret-key as its secret key`);
        check(sameList(id.actions, wantActions), `s3.json: identity ${id.name} may do exactly ${JSON.stringify(wantActions)}, has ${JSON.stringify(id.actions)}`);
        check(sameList(Object.keys(id).sort(), ["actions", "credentials", "name"]), `s3.json: identity ${id.name} has only name, credentials and actions`);
      }
      check(!ids.some((i) => (i.actions ?? []).some((a) => /^Admin(:|$)/.test(a) || a.includes("*"))), "s3.json: no Admin and no wildcard action");
      check(new Set(ids.map((i) => i.name)).size === ids.length, "s3.json: distinct identity names");
    }
  }

  // ---- the StatefulSet
  if (!check(!!sts, `${label}: the SeaweedFS StatefulSet`)) return;
  const spec = sts.spec.template.spec;
  const c = spec.containers[0];
  check(c.image === `${values.global?.imageRegistry ? values.global.imageRegistry.replace(/\/$/, "") + "/" : ""}${values.seaweedfs.image.repository}:${values.seaweedfs.image.tag}`,
    `SeaweedFS image ${c.image}`);
  const args = c.args ?? [];
  check(sameList(c.command ?? [], ["weed"]) && args.includes("server"), `SeaweedFS runs weed server: ${JSON.stringify([...(c.command ?? []), ...args])}`);
  const flag = (name) => args.find((a) => a.startsWith(`-${name}=`))?.slice(name.length + 2);
  check(args.includes("-s3") && flag("s3.port") === "8333", "SeaweedFS: -s3 -s3.port=8333");
  check(flag("ip.bind") === "0.0.0.0", "SeaweedFS: -ip.bind=0.0.0.0");
  check(flag("metricsPort") === "9327", "SeaweedFS: -metricsPort=9327");
  check(flag("master.peers") === "none" && flag("master.telemetry") === "false", "SeaweedFS: a single master, telemetry off");
  const ip = flag("ip") ?? "";
  check(ip === `${sts.metadata.name}-0.${sts.spec.serviceName}`, `SeaweedFS: -ip is the pod's stable name under the headless Service (${ip})`);
  const dataMount = (c.volumeMounts ?? []).find((m) => m.name === "data");
  check(!!dataMount && flag("dir") === dataMount.mountPath, `SeaweedFS: -dir (${flag("dir")}) is the data volume's mount`);
  check((sts.spec.volumeClaimTemplates ?? []).some((t) => t.metadata.name === "data"), "SeaweedFS: a data volume claim");
  // -s3.config names the identities file, mounted alone from the Secret.
  const config = flag("s3.config") ?? "";
  const mount = (c.volumeMounts ?? []).find((m) => config.startsWith(`${m.mountPath}/`));
  const volume = mount && (spec.volumes ?? []).find((v) => v.name === mount.name);
  const items = volume?.secret?.items ?? [];
  check(!!volume?.secret && items.length === 1 && items[0].key === "seaweedfs-s3-config" && `${mount.mountPath}/${items[0].path}` === config && mount.readOnly === true,
    `SeaweedFS: -s3.config=${config} is the Secret's seaweedfs-s3-config, mounted read-only and alone`);
  for (const probe of ["readinessProbe", "livenessProbe"])
    check(c[probe]?.httpGet?.path === "/healthz" && c[probe].httpGet.port === "s3", `SeaweedFS ${probe}: GET /healthz on the S3 port`);

  // ---- the Service
  if (check(!!svc, "SeaweedFS: a ClusterIP Service")) {
    const ports = Object.fromEntries(svc.spec.ports.map((p) => [p.name, p.port]));
    check(ports.s3 === 8333 && ports.metrics === 9327 && ports["master-grpc"] === 19333 && ports["filer-grpc"] === 18888,
      `SeaweedFS Service ports ${JSON.stringify(ports)}: s3 8333, metrics 9327, master-grpc 19333, filer-grpc 18888`);
    check(!svc.spec.ports.some((p) => [9333, 8888, 8080].includes(p.port)), "SeaweedFS Service: no master, filer or volume HTTP port (they take no credentials)");
  }

  // ---- the bucket Job
  if (check(!!job, "SeaweedFS: a bucket Job")) {
    const jc = job.spec.template.spec.containers[0];
    check(jc.image === c.image, "bucket Job: the SeaweedFS image");
    const env = Object.fromEntries((jc.env ?? []).map((e) => [e.name, e.value]));
    check(env.S3_BUCKET === bucket, `bucket Job: S3_BUCKET ${env.S3_BUCKET} is farm.s3Bucket`);
    check(env.SEAWEEDFS_HOST === svc?.metadata.name, `bucket Job: SEAWEEDFS_HOST ${env.SEAWEEDFS_HOST} is the Service`);
    // The script: deploy/seaweedfs/init.sh (compose's seaweedfs-init), from the ConfigMap mounted at /init.
    check(sameList(jc.command ?? [], ["sh", "/init/init.sh"]), `bucket Job runs /init/init.sh: ${JSON.stringify(jc.command)}`);
    const scriptMap = all.find((o) => o.kind === "ConfigMap" && component(o) === "seaweedfs-bucket");
    const mounted = job.spec.template.spec.volumes?.find((v) => v.configMap?.name === scriptMap?.metadata.name);
    check(!!mounted && jc.volumeMounts?.some((m) => m.name === mounted.name && m.mountPath === "/init"), "bucket Job: its script's ConfigMap mounted at /init");
    const script = scriptMap?.data?.["init.sh"] ?? "";
    check(script === readFileSync(new URL("../../../deploy/seaweedfs/init.sh", import.meta.url), "utf8").trim(),
      "bucket Job: the script is deploy/seaweedfs/init.sh, compose's, unchanged");
    for (const p of [/timeout \d+ weed shell -master="\$host:9333" -filer="\$host:8888"/, /ws s3\.bucket\.list/,
      /ws "s3\.bucket\.create -name \$S3_BUCKET"/, /grep -q '\^error:'/, /\$1 == b/])
      check(p.test(script), `bucket Job script: ${p}`);
    // Created only after a listing that worked and lacks it.
    check(script.indexOf("s3.bucket.create") > script.indexOf("exit 0"), "bucket Job: creates the bucket only when a listing lacks it");
  }
}
