{{/*
Metrics and the optional objects of other projects' APIs (the Prometheus Operator's, the Gateway API's).
*/}}

{{/*
Whether an object of a CRD's API is rendered: "true" or "". enabled is false (never), true (always: e.g.
helm template for a GitOps tool, which has no cluster to ask) or "auto" (when the cluster serves
apiVersion), as worker.autoscaling.mode auto does for KEDA.
(dict "root" $ "enabled" .Values.metrics.serviceMonitor.enabled "apiVersion" "monitoring.coreos.com/v1")
*/}}
{{- define "upscalefarm.crdEnabled" -}}
{{- if eq (toString .enabled) "auto" -}}
{{- if .root.Capabilities.APIVersions.Has .apiVersion }}true{{ end -}}
{{- else if eq (toString .enabled) "true" -}}
true
{{- end -}}
{{- end -}}

{{/*
The metrics port of an UpscaleFarm container, or nothing with metrics.enabled false. Rendering fails
when the port is taken by the API's or the farm's health port: the process would not start.
*/}}
{{- define "upscalefarm.metricsPort" -}}
{{- if .Values.metrics.enabled -}}
{{- $port := int .Values.metrics.port -}}
{{- if or (eq $port (int .Values.api.port)) (eq $port (int .Values.farm.healthPort)) -}}
{{- fail (printf "metrics.port (%d) must differ from api.port (%d) and farm.healthPort (%d)" $port (int .Values.api.port) (int .Values.farm.healthPort)) -}}
{{- end -}}
- name: metrics
  containerPort: {{ $port }}
  protocol: TCP
{{- end -}}
{{- end -}}

{{/* Metrics__PrometheusPort of an UpscaleFarm container (0 or unset: no endpoint), or nothing. */}}
{{- define "upscalefarm.metricsEnv" -}}
{{- if .Values.metrics.enabled -}}
- name: Metrics__PrometheusPort
  value: {{ .Values.metrics.port | int | toString | quote }}
{{- end -}}
{{- end -}}

{{/* The UpscaleFarm roles that serve metrics, one headless Service each (service-metrics.yaml). */}}
{{- define "upscalefarm.metricsRoles" -}}
{{- toJson (list "api" "coordinator" "assembler" "worker") -}}
{{- end -}}

{{/* The component labels of the roles' metrics Services: ROLE-metrics. */}}
{{- define "upscalefarm.metricsServiceComponents" -}}
{{- $out := list -}}
{{- range include "upscalefarm.metricsRoles" . | fromJsonArray }}{{ $out = append $out (printf "%s-metrics" .) }}{{ end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
How many workers can run at most: what KEDA or the HPA may scale to, or the fixed count. The
"not enough workers" alert fires when they all run and tiles still wait.
*/}}
{{- define "upscalefarm.maxWorkers" -}}
{{- if eq (include "upscalefarm.workerAutoscaler" .) "none" -}}
{{- int .Values.worker.replicas -}}
{{- else -}}
{{- int .Values.worker.autoscaling.maxReplicas -}}
{{- end -}}
{{- end -}}
