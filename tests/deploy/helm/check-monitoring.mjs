// Checks of the chart's metrics, monitoring and routing objects in one rendering, for check-rendered.mjs
// (which validates their shapes: ServiceMonitor, PrometheusRule and HTTPRoute against schemas/*.schema.json):
//   - metrics: every UpscaleFarm container serves /metrics (Metrics__PrometheusPort, container port
//     "metrics") exactly when metrics.enabled, and a headless Service per role, RabbitMQ and SeaweedFS
//     exposes it;
//   - ServiceMonitors exactly when metrics.serviceMonitor.enabled says (false / auto with the API / true):
//     followed from their selectors through the Services to the pods, they scrape exactly the farm roles'
//     metrics ports, RabbitMQ's /metrics and /metrics/detailed (the two families) and SeaweedFS's 9327;
//   - the PrometheusRule: the alerts the values enable, each with for, severity, summary and description,
//     thresholds from values, and expressions that name only exported metrics and labels
//     (tests/deploy/exported-metrics.json, the list the Grafana dashboards are held to);
//   - the Grafana dashboards' ConfigMaps: the sidecar's label and folder, the compose dashboards with the
//     data source uid replaced (their queries are checked with compose's);
//   - Ingress and HTTPRoute to the API's Service, and Api__ResultDelivery.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unknownNames } from "../exported-metrics.mjs";
import { matchesSelector } from "./check-network.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");

const FARM_ROLES = ["api", "coordinator", "assembler", "worker"];
const NAMESPACE = "default"; // the renderer's --namespace, as helm template's
const crdOn = (enabled, apiVersion, apiVersions) => enabled === true || (enabled === "auto" && apiVersions.includes(apiVersion));

export function checkMonitoring({ all, podSpecs, values, apiVersions, autoscaler, check, label }) {
  const byKind = (kind) => all.filter((o) => o.kind === kind);
  const component = (o) => o.metadata?.labels?.["app.kubernetes.io/component"];
  const m = values.metrics;
  const podComponent = ({ meta }) => meta.labels?.["app.kubernetes.io/component"];

  // ---- the endpoint on every UpscaleFarm container
  for (const p of podSpecs) {
    const comp = podComponent(p);
    if (!FARM_ROLES.includes(comp)) continue;
    const c = p.spec.containers[0];
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    const port = (c.ports ?? []).find((x) => x.name === "metrics");
    if (m.enabled)
      check(env.Metrics__PrometheusPort === String(m.port) && port?.containerPort === m.port && port.protocol === "TCP",
        `${comp}: Metrics__PrometheusPort ${env.Metrics__PrometheusPort} and container port "metrics" ${port?.containerPort}, expected ${m.port}`);
    else check(!("Metrics__PrometheusPort" in env) && !port, `${comp}: metrics.enabled is false, yet Metrics__PrometheusPort or a metrics port is set`);
    if (comp === "api") check(env.Api__ResultDelivery === values.api.resultDelivery, `api: Api__ResultDelivery ${env.Api__ResultDelivery}, expected ${values.api.resultDelivery}`);
  }

  // ---- metrics Services: which pods and container ports each Service port reaches
  const services = byKind("Service");
  const podsOf = (svc) => podSpecs.filter((p) => Object.entries(svc.spec.selector ?? {}).every(([k, v]) => p.meta.labels?.[k] === v));
  const containerPort = (p, target) => {
    for (const c of p.spec.containers) for (const x of c.ports ?? []) if (x.name === target || x.containerPort === target) return x.containerPort;
    return undefined;
  };
  const metricsServices = services.filter((s) => s.metadata.name.endsWith("-metrics"));
  const expectedServices = [
    ...FARM_ROLES.map((r) => [r, "metrics", m.port]),
    ...(values.rabbitmq.enabled ? [["rabbitmq", "prometheus", 15692]] : []),
    ...(values.seaweedfs.enabled ? [["seaweedfs", "metrics", 9327]] : []),
  ];
  check(metricsServices.length === (m.enabled ? expectedServices.length : 0), `${label}: ${metricsServices.length} metrics Services, expected ${m.enabled ? expectedServices.length : 0}`);
  if (m.enabled) {
    for (const [comp, portName, number] of expectedServices) {
      const svc = metricsServices.find((s) => s.spec.selector?.["app.kubernetes.io/component"] === comp);
      if (!check(!!svc, `${comp}: no metrics Service`)) continue;
      check(component(svc) === `${comp}-metrics`, `${svc.metadata.name}: labelled component ${comp}-metrics (what the ServiceMonitors select)`);
      check(svc.spec.clusterIP === "None", `${svc.metadata.name}: headless (scrapers address the pods)`);
      const port = svc.spec.ports.find((p) => p.name === portName);
      const pods = podsOf(svc);
      check(!!port && pods.length > 0 && pods.every((p) => podComponent(p) === comp && containerPort(p, port.targetPort) === number),
        `${svc.metadata.name}: port ${portName} reaches ${comp}'s container port ${number}`);
    }
  }

  // ---- ServiceMonitors
  const monitors = byKind("ServiceMonitor");
  const smOn = crdOn(m.serviceMonitor.enabled, "monitoring.coreos.com/v1", apiVersions);
  const expectedMonitors = smOn ? 1 + (values.rabbitmq.enabled ? 1 : 0) + (values.seaweedfs.enabled ? 1 : 0) : 0;
  check(monitors.length === expectedMonitors, `${label}: ${monitors.length} ServiceMonitors, expected ${expectedMonitors} (serviceMonitor.enabled ${m.serviceMonitor.enabled}, API ${apiVersions.includes("monitoring.coreos.com/v1") ? "served" : "not served"})`);
  const scraped = []; // "component port path params"
  for (const mon of monitors) {
    const where = `ServiceMonitor ${mon.metadata.name}`;
    for (const [k, v] of Object.entries(m.serviceMonitor.labels)) check(mon.metadata.labels?.[k] === v, `${where}: label ${k}=${v} (metrics.serviceMonitor.labels) missing`);
    const ns = mon.spec.namespaceSelector ?? {};
    const namespaces = Object.keys(m.serviceMonitor.namespaceSelector).length ? m.serviceMonitor.namespaceSelector : { matchNames: [NAMESPACE] };
    check(JSON.stringify(ns) === JSON.stringify(namespaces), `${where}: namespaceSelector ${JSON.stringify(ns)}, expected ${JSON.stringify(namespaces)}`);
    const inNamespace = ns.any === true || (ns.matchNames ?? []).includes(NAMESPACE);
    const selected = inNamespace ? services.filter((s) => matchesSelector(mon.spec.selector, s.metadata.labels ?? {})) : [];
    for (const ep of mon.spec.endpoints) {
      if (m.serviceMonitor.interval) check(ep.interval === m.serviceMonitor.interval, `${where}: interval ${ep.interval}`);
      if (m.serviceMonitor.scrapeTimeout) check(ep.scrapeTimeout === m.serviceMonitor.scrapeTimeout, `${where}: scrapeTimeout ${ep.scrapeTimeout}`);
      let targets = 0;
      for (const svc of selected) {
        const port = svc.spec.ports.find((p) => p.name === ep.port);
        if (!port) continue;
        for (const p of podsOf(svc)) {
          targets++;
          scraped.push(`${podComponent(p)} ${containerPort(p, port.targetPort)} ${ep.path ?? "/metrics"} ${JSON.stringify(ep.params ?? {})}`);
        }
      }
      check(targets > 0, `${where}: endpoint port ${ep.port} ${ep.path} reaches no pod`);
    }
  }
  if (smOn) {
    const expected = [
      ...FARM_ROLES.map((r) => `${r} ${m.port} /metrics {}`),
      ...(values.rabbitmq.enabled ? ["rabbitmq 15692 /metrics {}", `rabbitmq 15692 /metrics/detailed ${JSON.stringify({ family: ["queue_coarse_metrics", "queue_consumer_count"] })}`] : []),
      ...(values.seaweedfs.enabled ? ["seaweedfs 9327 /metrics {}"] : []),
    ].sort();
    const got = [...scraped].sort();
    const twice = got.filter((x, i) => got.indexOf(x) !== i);
    check(twice.length === 0, `${label}: the ServiceMonitors scrape [${[...new Set(twice)].join("; ")}] more than once (through more than one Service)`);
    check(JSON.stringify([...new Set(got)]) === JSON.stringify(expected), `${label}: the ServiceMonitors scrape [${[...new Set(got)].join("; ")}], expected [${expected.join("; ")}]`);
    // Two endpoints on RabbitMQ's one port: their up and scrape_* series must not share a job label.
    const rabbit = monitors.find((x) => x.spec.endpoints.some((e) => e.path === "/metrics/detailed"));
    if (rabbit) check(rabbit.spec.endpoints.find((e) => e.path === "/metrics/detailed").relabelings?.some((r) => r.targetLabel === "job"),
      `${rabbit.metadata.name}: /metrics/detailed gets its own job label`);
  }

  // ---- PrometheusRule
  const rules = byKind("PrometheusRule");
  const prOn = crdOn(m.prometheusRule.enabled, "monitoring.coreos.com/v1", apiVersions);
  check(rules.length === (prOn ? 1 : 0), `${label}: ${rules.length} PrometheusRules, expected ${prOn ? 1 : 0}`);
  if (rules[0]) {
    const pr = rules[0];
    for (const [k, v] of Object.entries(m.prometheusRule.labels)) check(pr.metadata.labels?.[k] === v, `PrometheusRule: label ${k}=${v} (metrics.prometheusRule.labels) missing`);
    const alerts = pr.spec.groups.flatMap((g) => g.rules);
    const names = {
      farmStalled: "UpscaleFarmStalled", deadLetters: "UpscaleFarmDeadLetteredTiles", jobsFailing: "UpscaleFarmJobsFailing",
      notEnoughWorkers: "UpscaleFarmNotEnoughWorkers", storageSlow: "UpscaleFarmStorageSlow", gpuStarved: "UpscaleFarmGpuStarved",
      slowJobs: "UpscaleFarmSlowJobs", messagesNotLeaving: "UpscaleFarmMessagesNotLeaving",
    };
    const a = m.prometheusRule.alerts;
    check(Object.keys(names).every((k) => k in a) && Object.keys(a).every((k) => k in names), `PrometheusRule: the check knows the alerts ${Object.keys(a).join(", ")}`);
    const wanted = Object.entries(a).filter(([k, v]) => v.enabled && (k !== "gpuStarved" || values.worker.mode === "gpu")).map(([k]) => names[k]).sort();
    check(JSON.stringify(alerts.map((r) => r.alert).sort()) === JSON.stringify(wanted), `PrometheusRule: alerts [${alerts.map((r) => r.alert).sort()}], expected [${wanted}]`);
    const maxWorkers = autoscaler === "none" ? values.worker.replicas : values.worker.autoscaling.maxReplicas;
    const threshold = {
      UpscaleFarmDeadLetteredTiles: `> ${a.deadLetters.messages}`, UpscaleFarmJobsFailing: `> ${a.jobsFailing.jobs}`,
      UpscaleFarmNotEnoughWorkers: `>= ${maxWorkers}`, UpscaleFarmStorageSlow: `> ${a.storageSlow.seconds}`,
      UpscaleFarmGpuStarved: `< ${a.gpuStarved.utilizationRatio}`, UpscaleFarmSlowJobs: `> ${a.slowJobs.seconds}`,
      UpscaleFarmMessagesNotLeaving: `> ${a.messagesNotLeaving.seconds}`,
    };
    for (const r of alerts) {
      const key = Object.keys(names).find((k) => names[k] === r.alert);
      const where = `PrometheusRule alert ${r.alert}`;
      if (!check(typeof r.expr === "string", `${where}: expr is a string`)) continue;
      const unknown = unknownNames(r.expr);
      check(unknown.length === 0, `${where}: ${unknown.join(", ")} (tests/deploy/exported-metrics.json lists what the deployment exports)`);
      if (!key) continue;
      check(r.for === a[key].for, `${where}: for ${r.for}, expected ${a[key].for}`);
      check(r.labels?.severity === a[key].severity, `${where}: severity ${r.labels?.severity}, expected ${a[key].severity}`);
      for (const [k, v] of Object.entries(m.prometheusRule.alertLabels)) if (k !== "severity") check(r.labels?.[k] === v, `${where}: label ${k}=${v} (alertLabels) missing`);
      check(r.annotations?.summary?.trim() && r.annotations?.description?.trim(), `${where}: summary and description annotations`);
      if (threshold[r.alert]) check(r.expr.includes(threshold[r.alert]), `${where}: threshold "${threshold[r.alert]}" from values not in ${JSON.stringify(r.expr)}`);
    }
  }

  // ---- Grafana dashboards
  const g = m.grafanaDashboards;
  const dashboards = byKind("ConfigMap").filter((c) => component(c) === "dashboards");
  const composeDir = path.join(repo, "deploy/grafana/dashboards");
  check(dashboards.length === (g.enabled ? 1 : 0), `${label}: ${dashboards.length} dashboard ConfigMaps, expected ${g.enabled ? 1 : 0} (the farm overview)`);
  for (const cm of dashboards) {
    const where = `ConfigMap ${cm.metadata.name}`;
    check(cm.metadata.labels?.[g.label] === g.labelValue, `${where}: label ${g.label}=${g.labelValue} for Grafana's sidecar`);
    check((cm.metadata.annotations?.[g.folderAnnotation] ?? "") === g.folder, `${where}: annotation ${g.folderAnnotation} is the folder "${g.folder}"`);
    for (const [file, text] of Object.entries(cm.data ?? {})) {
      let dash;
      try {
        dash = JSON.parse(text);
      } catch (e) {
        check(false, `${where}: ${file} is not JSON: ${e.message}`);
        continue;
      }
      const compose = path.join(composeDir, file);
      if (check(fs.existsSync(compose), `${where}: ${file} is not one of deploy/grafana/dashboards`)) {
        const original = fs.readFileSync(compose, "utf8").replaceAll('"uid": "prometheus"', `"uid": ${JSON.stringify(g.datasourceUid)}`);
        check(text === original, `${where}: ${file} differs from deploy/grafana/dashboards/${file} (uid replaced)`);
      }
      const refs = [];
      const walk = (x) => {
        if (Array.isArray(x)) x.forEach(walk);
        else if (x && typeof x === "object") {
          if (x.datasource && typeof x.datasource === "object") refs.push(x.datasource);
          // (Its queries are the compose file's, which tests/deploy/compose/checks.mjs holds to the exported metrics.)
          for (const v of Object.values(x)) walk(v);
        }
      };
      walk(dash);
      check(refs.length > 0 && refs.every((r) => r.type !== "prometheus" || r.uid === g.datasourceUid), `${where}: every Prometheus data source is uid ${g.datasourceUid}`);
      check(refs.every((r) => r.type === "prometheus" || r.type === "grafana" || r.type === "-- Grafana --" || r.type === "datasource"),
        `${where}: ${file} needs a data source the chart does not give Grafana: ${[...new Set(refs.map((r) => r.type))].join(", ")}`);
    }
  }

  // ---- Ingress and HTTPRoute
  const apiService = services.find((s) => component(s) === "api" && s.spec.clusterIP !== "None");
  const ingresses = byKind("Ingress");
  check(ingresses.length === (values.ingress.enabled ? 1 : 0), `${label}: ${ingresses.length} Ingresses, expected ${values.ingress.enabled ? 1 : 0}`);
  for (const ing of ingresses) {
    const i = values.ingress;
    check((ing.spec.ingressClassName ?? "") === i.className, `Ingress: ingressClassName ${ing.spec.ingressClassName}`);
    check(JSON.stringify(ing.spec.tls ?? []) === JSON.stringify(i.tls), "Ingress: tls from values");
    check(JSON.stringify(ing.metadata.annotations ?? {}) === JSON.stringify(i.annotations), "Ingress: annotations from values");
    const got = ing.spec.rules.flatMap((r) => r.http.paths.map((p) => `${r.host ?? ""} ${p.path} ${p.pathType}`)).sort();
    const want = i.hosts.flatMap((h) => h.paths.map((p) => `${h.host ?? ""} ${p.path} ${p.pathType}`)).sort();
    check(JSON.stringify(got) === JSON.stringify(want), `Ingress: rules [${got}], expected [${want}]`);
    for (const r of ing.spec.rules) for (const p of r.http.paths) {
      const b = p.backend.service;
      check(b?.name === apiService?.metadata.name && apiService.spec.ports.some((x) => x.name === b.port.name || x.port === b.port.number),
        `Ingress ${r.host} ${p.path}: backend ${b?.name}:${b?.port?.name ?? b?.port?.number} is not the API's Service`);
    }
  }
  const routes = byKind("HTTPRoute");
  check(routes.length === (values.httpRoute.enabled ? 1 : 0), `${label}: ${routes.length} HTTPRoutes, expected ${values.httpRoute.enabled ? 1 : 0}`);
  for (const rt of routes) {
    const h = values.httpRoute;
    check(JSON.stringify(rt.spec.parentRefs) === JSON.stringify(h.parentRefs) && rt.spec.parentRefs.length > 0, "HTTPRoute: parentRefs from values, at least one");
    check(JSON.stringify(rt.spec.hostnames ?? []) === JSON.stringify(h.hostnames), "HTTPRoute: hostnames from values");
    for (const [k, v] of Object.entries(h.labels)) check(rt.metadata.labels?.[k] === v, `HTTPRoute: label ${k}=${v}`);
    for (const rule of rt.spec.rules) {
      check(rule.matches?.every((x) => x.path?.type === "PathPrefix" && x.path.value === h.pathPrefix), `HTTPRoute: matches ${h.pathPrefix}`);
      for (const b of rule.backendRefs) check(b.name === apiService?.metadata.name && apiService.spec.ports.some((x) => x.port === b.port) && (b.kind ?? "Service") === "Service",
        `HTTPRoute: backend ${b.name}:${b.port} is not the API's Service`);
    }
  }
}
