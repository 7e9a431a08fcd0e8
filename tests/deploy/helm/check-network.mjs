// Checks of the chart's NetworkPolicies in one rendering, for check-rendered.mjs. It evaluates the rendered
// policies the way the NetworkPolicy API defines them against the rendered pods' labels and ports, plus
// probes standing for what lies outside the release, and compares who may talk to whom with what the
// chart promises (values.yaml, networkPolicy; templates/networkpolicy.yaml):
//   - every pod of a Deployment, StatefulSet or Job is isolated for ingress and for egress;
//   - ingress: only the API admits an unselected peer (on api.port, unless networkPolicy.apiFrom narrows
//     it), the metrics ports admit only networkPolicy.metricsFrom, RabbitMQ admits AMQP from the farm's
//     pods and its management API from its users Job and KEDA (when KEDA scales), PostgreSQL from the farm's
//     pods, SeaweedFS's S3 port from the farm's pods (and s3From, the helm test) and its master and filer
//     from its bucket Job, and nothing else admits anything;
//   - egress: each pod reaches DNS and its dependencies only (a worker: the broker, the job store, the
//     object store, the OTLP endpoint), external ones on their configured ports, and only the API
//     reaches public addresses, on the webhook ports;
//   - every ipBlock's exceptions lie inside its CIDR (the API server refuses them otherwise).
// Model: the release is in namespace "default" (the renderer's), its pods have addresses in 10.244.0.0/16
// (a common pod range; an ipBlock is matched against pod addresses too, as several network plugins do);
// the kubelet's probes are not modelled (policies do not govern a node's traffic to its pods).

const NAMESPACE = "default";
const FARM = ["api", "coordinator", "assembler", "worker"];

// ---- selectors and addresses
export function matchesSelector(sel, labels) {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function parseIp(ip) {
  if (ip.includes(":")) {
    const [head, tail] = ip.split("::");
    const h = head ? head.split(":") : [];
    const t = tail !== undefined ? (tail ? tail.split(":") : []) : [];
    const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
    return { v6: true, n: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n), bits: 128 };
  }
  return { v6: false, n: ip.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n), bits: 32 };
}
function parseCidr(cidr) {
  const [ip, len] = cidr.split("/");
  const a = parseIp(ip);
  return { ...a, len: Number(len) };
}
const inCidr = (ip, cidr) => {
  const a = parseIp(ip);
  const c = parseCidr(cidr);
  if (a.v6 !== c.v6) return false;
  const shift = BigInt(c.bits - c.len);
  return a.n >> shift === c.n >> shift;
};
const cidrInside = (inner, outer) => {
  const i = parseCidr(inner);
  const o = parseCidr(outer);
  return i.v6 === o.v6 && i.len >= o.len && (i.n >> BigInt(o.bits - o.len)) === (o.n >> BigInt(o.bits - o.len));
};

// An endpoint: { id, ns, nsLabels, labels, ip, ports: [{name, containerPort, protocol}], release, component }.
function peerMatches(peer, policyNs, ep) {
  if (peer.ipBlock) return !!ep.ip && inCidr(ep.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((x) => inCidr(ep.ip, x));
  if (!ep.labels) return false; // an address outside the cluster: only ipBlocks match it
  const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, ep.nsLabels) : ep.ns === policyNs;
  const podOk = peer.podSelector ? matchesSelector(peer.podSelector, ep.labels) : true;
  return nsOk && podOk;
}
const inList = (peers, ep) => !peers?.length || peers.some((p) => peerMatches(p, NAMESPACE, ep));

function portMatches(ports, target, port, protocol) {
  if (!ports?.length) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "number") return p.endPort ? port >= p.port && port <= p.endPort : port === p.port;
    return (target.ports ?? []).some((x) => x.name === p.port && x.containerPort === port && (x.protocol ?? "TCP") === protocol);
  });
}

const types = (pol) => pol.spec.policyTypes ?? ["Ingress", ...(pol.spec.egress ? ["Egress"] : [])];
const selecting = (policies, ep, type) =>
  ep.release ? policies.filter((p) => types(p).includes(type) && matchesSelector(p.spec.podSelector, ep.labels)) : [];

function admits(policies, dst, src, port, protocol) {
  const pols = selecting(policies, dst, "Ingress");
  if (pols.length === 0) return true;
  return pols.some((p) => (p.spec.ingress ?? []).some((r) => (!r.from?.length || r.from.some((peer) => peerMatches(peer, NAMESPACE, src))) && portMatches(r.ports, dst, port, protocol)));
}
function sends(policies, src, dst, port, protocol) {
  const pols = selecting(policies, src, "Egress");
  if (pols.length === 0) return true;
  return pols.some((p) => (p.spec.egress ?? []).some((r) => (!r.to?.length || r.to.some((peer) => peerMatches(peer, NAMESPACE, dst))) && portMatches(r.ports, dst, port, protocol)));
}

// A probe that a NetworkPolicyPeer of the values selects: its namespace and pod labels from the selectors'
// matchLabels (and In/Exists expressions), or an address inside its ipBlock.
function probeFor(id, peer) {
  if (peer.ipBlock) {
    const c = parseCidr(peer.ipBlock.cidr);
    for (let k = 1n; k < 256n; k++) {
      const n = c.n + k;
      const ip = c.v6 ? [...Array(8)].map((_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":") : [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
      if (inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((x) => inCidr(ip, x))) return { id, ip };
    }
  }
  const labelsFor = (sel) => {
    const l = { ...(sel?.matchLabels ?? {}) };
    for (const e of sel?.matchExpressions ?? []) if (e.operator === "In") l[e.key] = e.values[0];
    else if (e.operator === "Exists") l[e.key] = "x";
    return l;
  };
  const nsLabels = labelsFor(peer.namespaceSelector);
  const ns = peer.namespaceSelector ? nsLabels["kubernetes.io/metadata.name"] ?? `${id}-namespace` : NAMESPACE;
  return { id, ns, nsLabels: { ...nsLabels, "kubernetes.io/metadata.name": ns }, labels: labelsFor(peer.podSelector), ip: "10.245.0.9" };
}

export function checkNetworkPolicies({ all, podSpecs, values, autoscaler, check, label }) {
  const np = values.networkPolicy;
  const policies = all.filter((o) => o.kind === "NetworkPolicy");
  if (!np.enabled) {
    check(policies.length === 0, `${label}: networkPolicy.enabled is false, yet ${policies.length} NetworkPolicies are rendered`);
    return;
  }
  // The API server's own rule: an exception lies inside its block.
  for (const p of policies)
    for (const r of [...(p.spec.ingress ?? []).flatMap((x) => x.from ?? []), ...(p.spec.egress ?? []).flatMap((x) => x.to ?? [])])
      for (const e of r.ipBlock?.except ?? []) check(cidrInside(e, r.ipBlock.cidr) && e !== r.ipBlock.cidr, `NetworkPolicy ${p.metadata.name}: except ${e} is not inside ${r.ipBlock.cidr}`);

  // ---- the release's pods (the helm test's Pod too: it is admitted where it must be)
  const pods = podSpecs.map((p, i) => ({
    id: `${p.o.kind}/${p.o.metadata.name}`,
    component: p.meta.labels?.["app.kubernetes.io/component"],
    ns: NAMESPACE,
    nsLabels: { "kubernetes.io/metadata.name": NAMESPACE },
    labels: p.meta.labels ?? {},
    ip: `10.244.0.${i + 10}`,
    ports: p.spec.containers.flatMap((c) => c.ports ?? []),
    release: true,
    workload: p.o.kind !== "Pod",
  }));
  for (const p of pods.filter((x) => x.workload)) {
    check(selecting(policies, p, "Ingress").length > 0, `${p.id} (${p.component}): no NetworkPolicy isolates its ingress`);
    check(selecting(policies, p, "Egress").length > 0, `${p.id} (${p.component}): no NetworkPolicy isolates its egress`);
  }
  const comp = (c) => pods.filter((p) => p.component === c);

  // ---- what lies outside: probes
  const probe = (id, ns, labels, ip) => ({ id, ns, nsLabels: { "kubernetes.io/metadata.name": ns }, labels, ip });
  const dns = probe("kube-dns", "kube-system", { "k8s-app": "kube-dns" }, "10.244.1.2");
  const probes = [
    probe("a pod in another namespace", "elsewhere", { app: "other" }, "10.244.9.9"),
    probe("an unrelated pod in the release's namespace", NAMESPACE, { app: "stranger" }, "10.244.9.8"),
    dns,
    { id: "a public IPv4 address", ip: "93.184.216.34" },
    { id: "a public IPv6 address", ip: "2606:2800:220:1:248:1893:25c8:1946" },
    { id: "cloud metadata (169.254.169.254)", ip: "169.254.169.254" },
    { id: "a private address (10.1.2.3)", ip: "10.1.2.3" },
    { id: "a private address (192.168.1.1)", ip: "192.168.1.1" },
    { id: "a private address (172.16.5.4)", ip: "172.16.5.4" },
    { id: "a unique-local IPv6 address", ip: "fd00::1" },
  ];
  for (const [name, list] of [["metricsFrom", np.metricsFrom], ["kedaFrom", np.kedaFrom], ["s3From", np.s3From], ["apiFrom", np.apiFrom]])
    list.forEach((peer, i) => probes.push(probeFor(`networkPolicy.${name}[${i}]`, peer)));
  for (const [dep, e] of Object.entries(np.external)) e.to.forEach((peer, i) => probes.push(probeFor(`networkPolicy.external.${dep}.to[${i}]`, peer)));
  np.dnsTo.forEach((peer, i) => probes.push(probeFor(`networkPolicy.dnsTo[${i}]`, peer)));

  const isFarm = (ep) => ep.release && FARM.includes(ep.component);
  const isComp = (ep, c) => ep.release && ep.component === c;
  const keda = autoscaler === "keda";
  const tests = (ep) => isComp(ep, "helm-test");

  // ---- ingress: for every release pod and port, who is admitted, against the promise
  const ingressExpected = (dst, src, port) => !!ingressPromise(dst, src, port);
  const ingressPromise = (dst, src, port) => {
    const c = dst.component;
    if (c === "api" && port === values.api.port) return !np.apiFrom.length || inList(np.apiFrom, src) || tests(src);
    if (FARM.includes(c) && values.metrics.enabled && port === values.metrics.port) return inList(np.metricsFrom, src);
    if (c === "rabbitmq") {
      if (port === 5672) return isFarm(src);
      if (port === 15672) return isComp(src, "rabbitmq-users") || (keda && inList(np.kedaFrom, src));
      if (port === 15692) return values.metrics.enabled && inList(np.metricsFrom, src);
    }
    if (c === "postgresql" && port === 5432) return isFarm(src);
    if (c === "seaweedfs") {
      if (isComp(src, "seaweedfs")) return true; // its master, volume server and filer reach each other at its own address
      if (port === 8333) return isFarm(src) || (np.s3From.length > 0 && inList(np.s3From, src)) || (values.tests.enabled && tests(src));
      if ([9333, 19333, 8888, 18888].includes(port)) return isComp(src, "seaweedfs-bucket");
      if (port === 9327) return values.metrics.enabled && inList(np.metricsFrom, src);
    }
    return false;
  };
  const extraPorts = [22, 8080, 9333, 8888];
  const problems = [];
  const outsiderAdmittedBy = new Set();
  for (const dst of pods.filter((p) => p.workload)) {
    const ports = [...new Set([...dst.ports.filter((p) => (p.protocol ?? "TCP") === "TCP").map((p) => p.containerPort), ...extraPorts])];
    for (const src of [...pods, ...probes]) {
      for (const port of ports) {
        const got = admits(policies, dst, src, port, "TCP");
        if (got && src === probes[0]) outsiderAdmittedBy.add(dst.component);
        if (got !== ingressExpected(dst, src, port)) problems.push(`${dst.id} ${got ? "admits" : "refuses"} ${src.id} on ${port}, which the chart ${got ? "does not allow" : "allows"}`);
      }
    }
  }
  check(problems.length === 0, `NetworkPolicy ingress: ${problems.slice(0, 12).join("; ")}${problems.length > 12 ? `; and ${problems.length - 12} more` : ""}`);
  // The promise in one line (when scrapers are narrowed, as by default): only the API faces the outside.
  if (np.metricsFrom.length) {
    const onlyApi = np.apiFrom.length ? [] : ["api"];
    check(JSON.stringify([...outsiderAdmittedBy].sort()) === JSON.stringify(onlyApi),
      `NetworkPolicy: pods admitting a pod of another namespace: [${[...outsiderAdmittedBy].sort()}], expected [${onlyApi}] (only the API faces the outside)`);
  }

  // ---- egress: for every release pod, where it may send, against its dependencies
  const urlPort = (url) => {
    const m = /^(\w+):\/\/[^/]*?:(\d+)(?:\/|$)/.exec(url);
    return m ? Number(m[2]) : /^http:/.test(url) ? 80 : 443;
  };
  const ext = np.external;
  const deps = []; // [name, matches(dst, port)]
  const bundled = (c, port) => (dst, p) => isComp(dst, c) && p === port;
  const external = (e, ports) => (dst, p) => !dst.release && inList(e.to, dst) && ports.includes(p);
  deps.push(["the broker", values.rabbitmq.enabled ? bundled("rabbitmq", 5672) : external(ext.rabbitmq, ext.rabbitmq.ports.length ? ext.rabbitmq.ports : [5672])]);
  deps.push(["the job store", values.postgresql.enabled ? bundled("postgresql", 5432) : external(ext.postgresql, ext.postgresql.ports.length ? ext.postgresql.ports : [5432])]);
  deps.push(["the object store", values.seaweedfs.enabled ? bundled("seaweedfs", 8333) : external(ext.s3, ext.s3.ports.length ? ext.s3.ports : [urlPort(values.externalS3.serviceUrl)])]);
  if (values.otel.endpoint) deps.push(["the OTLP endpoint", external(ext.otlp, ext.otlp.ports.length ? ext.otlp.ports : [urlPort(values.otel.endpoint)])]);
  const isDns = (dst, port) => !dst.release && inList(np.dnsTo, dst) && port === 53;
  const webhook = (dst, port) => np.webhooks.enabled && !!dst.ip && np.webhooks.ports.includes(port) && !np.webhooks.except.some((x) => inCidr(dst.ip, x));
  const egressExpected = (src, dst, port, protocol) => !!egressPromise(src, dst, port, protocol);
  const egressPromise = (src, dst, port, protocol) => {
    if (isDns(dst, port)) return true;
    if (protocol !== "TCP") return false;
    const c = src.component;
    if (FARM.includes(c)) return deps.some(([, f]) => f(dst, port)) || (c === "api" && webhook(dst, port));
    if (c === "rabbitmq-users") return isComp(dst, "rabbitmq") && port === 15672;
    if (c === "seaweedfs") return isComp(dst, "seaweedfs");
    if (c === "seaweedfs-bucket") return isComp(dst, "seaweedfs") && [9333, 19333, 8888, 18888].includes(port);
    return false; // RabbitMQ and PostgreSQL: DNS only
  };
  const probePorts = [...new Set([25, 53, 80, 443, 4317, 4318, 5432, 5671, 5672, 8080, 8333, 9000, 15672,
    ...Object.values(ext).flatMap((e) => e.ports), ...np.webhooks.ports, urlPort(values.externalS3.serviceUrl),
    ...(values.otel.endpoint ? [urlPort(values.otel.endpoint)] : [])])];
  const reach = new Map(); // worker → what it may reach
  const egressProblems = [];
  for (const src of pods.filter((p) => p.workload)) {
    for (const dst of [...pods, ...probes]) {
      const ports = dst.release ? [...new Set([...dst.ports.map((p) => p.containerPort), ...extraPorts])] : probePorts;
      for (const port of ports) {
        for (const protocol of port === 53 ? ["UDP", "TCP"] : ["TCP"]) {
          const got = sends(policies, src, dst, port, protocol);
          if (got && src.component === "worker") reach.set(`${dst.release ? dst.component : dst.id}`, true);
          if (got !== egressExpected(src, dst, port, protocol))
            egressProblems.push(`${src.id} ${got ? "may send to" : "cannot reach"} ${dst.id} on ${port}/${protocol}, which the chart ${got ? "does not allow" : "allows"}`);
        }
      }
    }
  }
  check(egressProblems.length === 0, `NetworkPolicy egress: ${egressProblems.slice(0, 12).join("; ")}${egressProblems.length > 12 ? `; and ${egressProblems.length - 12} more` : ""}`);
  // The promise in one line, with everything bundled: a worker reaches the broker, the stores and DNS only.
  const allBundled = values.rabbitmq.enabled && values.postgresql.enabled && values.seaweedfs.enabled && !values.otel.endpoint;
  if (comp("worker").length && allBundled) {
    const may = new Set(["rabbitmq", "postgresql", "seaweedfs", "kube-dns", ...np.dnsTo.map((_, i) => `networkPolicy.dnsTo[${i}]`)]);
    const extra = [...reach.keys()].filter((k) => !may.has(k));
    check(extra.length === 0 && ["rabbitmq", "postgresql", "seaweedfs"].every((k) => reach.has(k)),
      `NetworkPolicy: a worker may reach [${[...reach.keys()].sort()}]; it should reach the broker, the job store, the object store and DNS, and nothing else`);
  }
}
