// The Kubernetes Pod Security Standards, "baseline" and "restricted" (policy version latest, as
// https://kubernetes.io/docs/concepts/security/pod-security-standards/ lists them, Kubernetes 1.30+), checked
// field by field on one pod spec, plus this chart's own promises: every container has a read-only root
// filesystem and an emptyDir at /tmp. Each violation names the object and the field.
// Used by check-rendered.mjs for every rendered Deployment, StatefulSet, Job and Pod.

// Baseline: capabilities a container may add. Restricted narrows it to NET_BIND_SERVICE.
const baselineCapabilities = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
  "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
// Baseline: the "safe" sysctls.
const safeSysctls = new Set(["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"]);
// Baseline: SELinux types a pod or container may ask for ("" or unset too).
const seLinuxTypes = new Set(["container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
// Restricted: the only volume types allowed.
const restrictedVolumeTypes = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

/**
 * Violations of "restricted" (which includes "baseline") and of the chart's read-only root filesystem,
 * for one pod: `where` names the object (Kind/name), `meta` is the pod template's metadata, `spec` its spec.
 */
export function podSecurityViolations(where, meta, spec) {
  const out = [];
  const bad = (field, what) => out.push(`${where}: ${field}: ${what}`);
  const psc = spec.securityContext ?? {};
  const containers = [
    ...(spec.initContainers ?? []).map((c, i) => [c, `spec.initContainers[${i}] (${c.name})`]),
    ...(spec.containers ?? []).map((c, i) => [c, `spec.containers[${i}] (${c.name})`]),
    ...(spec.ephemeralContainers ?? []).map((c, i) => [c, `spec.ephemeralContainers[${i}] (${c.name})`]),
  ];

  // ---- baseline
  // HostProcess (Windows).
  if (psc.windowsOptions?.hostProcess) bad("spec.securityContext.windowsOptions.hostProcess", "must be unset or false");
  for (const [c, at] of containers)
    if (c.securityContext?.windowsOptions?.hostProcess) bad(`${at}.securityContext.windowsOptions.hostProcess`, "must be unset or false");
  // Host namespaces.
  for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[f]) bad(`spec.${f}`, "must be unset or false");
  // Privileged containers.
  for (const [c, at] of containers) if (c.securityContext?.privileged) bad(`${at}.securityContext.privileged`, "must be unset or false");
  // Capabilities (baseline's list; restricted's below).
  for (const [c, at] of containers)
    for (const cap of c.securityContext?.capabilities?.add ?? [])
      if (!baselineCapabilities.has(cap)) bad(`${at}.securityContext.capabilities.add`, `${cap} is not allowed (baseline)`);
  // HostPath volumes.
  for (const [i, v] of (spec.volumes ?? []).entries()) if (v.hostPath) bad(`spec.volumes[${i}] (${v.name}).hostPath`, "must be unset");
  // Host ports.
  for (const [c, at] of containers)
    for (const [i, p] of (c.ports ?? []).entries()) if (p.hostPort) bad(`${at}.ports[${i}].hostPort`, "must be unset or 0");
  // AppArmor: unset, RuntimeDefault or Localhost; the annotations runtime/default or localhost/*.
  const appArmorOk = (t) => t === undefined || t === "RuntimeDefault" || t === "Localhost";
  if (!appArmorOk(psc.appArmorProfile?.type)) bad("spec.securityContext.appArmorProfile.type", `${psc.appArmorProfile.type} is not allowed`);
  for (const [c, at] of containers)
    if (!appArmorOk(c.securityContext?.appArmorProfile?.type)) bad(`${at}.securityContext.appArmorProfile.type`, `${c.securityContext.appArmorProfile.type} is not allowed`);
  for (const [k, v] of Object.entries(meta?.annotations ?? {}))
    if (k.startsWith("container.apparmor.security.beta.kubernetes.io/") && v !== "runtime/default" && !v.startsWith("localhost/"))
      bad(`metadata.annotations["${k}"]`, `${v} is not allowed`);
  // SELinux: type among the container types; user and role unset.
  const seLinux = (o, at) => {
    if (!o) return;
    if (o.type && !seLinuxTypes.has(o.type)) bad(`${at}.type`, `${o.type} is not allowed`);
    if (o.user) bad(`${at}.user`, "must be unset");
    if (o.role) bad(`${at}.role`, "must be unset");
  };
  seLinux(psc.seLinuxOptions, "spec.securityContext.seLinuxOptions");
  for (const [c, at] of containers) seLinux(c.securityContext?.seLinuxOptions, `${at}.securityContext.seLinuxOptions`);
  // /proc mount.
  for (const [c, at] of containers)
    if (c.securityContext?.procMount !== undefined && c.securityContext.procMount !== "Default") bad(`${at}.securityContext.procMount`, "must be unset or Default");
  // Seccomp (baseline): never Unconfined.
  if (psc.seccompProfile?.type === "Unconfined") bad("spec.securityContext.seccompProfile.type", "Unconfined is not allowed");
  for (const [c, at] of containers)
    if (c.securityContext?.seccompProfile?.type === "Unconfined") bad(`${at}.securityContext.seccompProfile.type`, "Unconfined is not allowed");
  // Sysctls.
  for (const [i, s] of (psc.sysctls ?? []).entries()) if (!safeSysctls.has(s.name)) bad(`spec.securityContext.sysctls[${i}]`, `${s.name} is not a safe sysctl`);

  // ---- restricted
  // Volume types.
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    const types = Object.keys(v).filter((k) => k !== "name");
    if (types.length !== 1 || !restrictedVolumeTypes.has(types[0])) bad(`spec.volumes[${i}] (${v.name})`, `type ${types.join("+") || "none"} is not allowed`);
  }
  for (const [c, at] of containers) {
    const sc = c.securityContext ?? {};
    // Privilege escalation: explicitly false.
    if (sc.allowPrivilegeEscalation !== false) bad(`${at}.securityContext.allowPrivilegeEscalation`, `must be false, is ${sc.allowPrivilegeEscalation ?? "unset"}`);
    // Running as non-root: the container's setting, else the pod's, must be true.
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true)
      bad(`${at}.securityContext.runAsNonRoot`, "must be true (here or in spec.securityContext)");
    // Running as a non-root user: never uid 0.
    if (sc.runAsUser === 0) bad(`${at}.securityContext.runAsUser`, "must not be 0");
    // Seccomp: the container's profile, else the pod's, must be RuntimeDefault or Localhost.
    const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
      bad(`${at}.securityContext.seccompProfile.type`, `must be RuntimeDefault or Localhost (here or in spec.securityContext), is ${seccomp ?? "unset"}`);
    // Capabilities: drop ALL; add only NET_BIND_SERVICE.
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) bad(`${at}.securityContext.capabilities.drop`, "must include ALL");
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== "NET_BIND_SERVICE") bad(`${at}.securityContext.capabilities.add`, `${cap} is not allowed (only NET_BIND_SERVICE)`);

    // ---- the chart's own: read-only root filesystem, /tmp an emptyDir
    if (sc.readOnlyRootFilesystem !== true) bad(`${at}.securityContext.readOnlyRootFilesystem`, "must be true (the chart's promise)");
    const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
    const tmpVolume = tmp && (spec.volumes ?? []).find((v) => v.name === tmp.name);
    if (!tmpVolume?.emptyDir) bad(`${at}.volumeMounts`, "no emptyDir at /tmp (the root filesystem is read-only)");
  }
  if (psc.runAsUser === 0) bad("spec.securityContext.runAsUser", "must not be 0");
  return out;
}
