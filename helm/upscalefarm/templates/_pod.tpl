{{/*
Pod-level pieces shared by every pod the chart renders: security contexts that meet the Pod Security
Standards' "restricted" profile, image pull secrets (with Helm's global.imagePullSecrets), pod labels,
and the knobs of the UpscaleFarm roles (priority class, topology spread, extra volumes).
tests/deploy/helm/pod-security.mjs checks every rendered pod against "restricted".
*/}}

{{/*
The pod securityContext of a bundled service or one of its Jobs, whose image runs as a known non-root
uid: (dict "uid" 999). fsGroup makes the volume (and the Secret files) the image user's group's;
OnRootMismatch skips the recursive ownership change when the volume's root already has it, so a large
PersistentVolume does not slow every restart.
*/}}
{{- define "upscalefarm.servicePodSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
The container securityContext of a bundled service or Job: no privilege escalation, no capabilities, a
read-only root filesystem (each template mounts an emptyDir wherever its program writes).
*/}}
{{- define "upscalefarm.serviceContainerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/*
The pod's imagePullSecrets field, or nothing: global.imagePullSecrets (what a parent chart shares; names
or {name: …} items) and imagePullSecrets, without repeats. Takes the root context.
*/}}
{{- define "upscalefarm.imagePullSecrets" -}}
{{- $names := list -}}
{{- $global := get (.Values.global | default dict) "imagePullSecrets" | default list -}}
{{- range (concat $global .Values.imagePullSecrets) }}
{{- $name := . -}}
{{- if kindIs "map" . }}{{ $name = get . "name" }}{{ end -}}
{{- if and $name (not (has $name $names)) }}{{ $names = append $names $name }}{{ end -}}
{{- end -}}
{{- with $names }}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
The labels of an UpscaleFarm role's pods: the chart's labels, over the role's podLabels, over the global
podLabels (a value can never replace a selector label, or the Deployment would lose its pods).
(dict "root" $ "component" "api" "podLabels" .Values.api.podLabels)
*/}}
{{- define "upscalefarm.podLabels" -}}
{{- $chart := include "upscalefarm.labels" (dict "root" .root "component" .component) | fromYaml -}}
{{- toYaml (merge $chart (.podLabels | default dict) (.root.Values.podLabels | default dict)) -}}
{{- end -}}

{{/*
Scheduling knobs of an UpscaleFarm role's pod spec: priorityClassName and topologySpreadConstraints. A
constraint without a labelSelector gets the role's selector labels, so that a values file can spread a
role without knowing the release's name.
(dict "root" $ "component" "worker" "settings" .Values.worker)
*/}}
{{- define "upscalefarm.podScheduling" -}}
{{- with .settings.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- $constraints := list -}}
{{- range .settings.topologySpreadConstraints }}
{{- $c := deepCopy . -}}
{{- if not (hasKey $c "labelSelector") }}
{{- $_ := set $c "labelSelector" (dict "matchLabels" (include "upscalefarm.selectorLabels" (dict "root" $.root "component" $.component) | fromYaml)) -}}
{{- end }}
{{- $constraints = append $constraints $c -}}
{{- end }}
{{- with $constraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
