{{/*
Names, labels, images and the environment shared by the UpscaleFarm pods.
Every helper reads only keys that values.yaml defines, so that `helm lint --strict` (missing keys are
errors) passes; optional keys inside list items are read with `get`/`hasKey`.
*/}}

{{- define "upscalefarm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "upscalefarm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The name of one component's objects: (dict "root" $ "component" "worker"). */}}
{{- define "upscalefarm.componentName" -}}
{{- printf "%s-%s" (include "upscalefarm.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "upscalefarm.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: (dict "root" $ "component" "api"). */}}
{{- define "upscalefarm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "upscalefarm.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels: (dict "root" $ "component" "api"). */}}
{{- define "upscalefarm.labels" -}}
helm.sh/chart: {{ include "upscalefarm.chart" .root }}
{{ include "upscalefarm.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: upscalefarm
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
An UpscaleFarm image: (dict "root" $ "image" .Values.api.image). global.imageRegistry (a parent chart's
mirror for every image) wins over image.registry.
*/}}
{{- define "upscalefarm.image" -}}
{{- $tag := .image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- $registry := get (.root.Values.global | default dict) "imageRegistry" | default .root.Values.image.registry | trimSuffix "/" -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/*
A bundled service's image: (dict "root" $ "image" .Values.rabbitmq.image). Not prefixed with
image.registry (that is where the UpscaleFarm images live), only with global.imageRegistry, a mirror of
every image; the repository is appended as it is (a mirror of Docker Hub may want library/rabbitmq).
*/}}
{{- define "upscalefarm.serviceImage" -}}
{{- $registry := get (.root.Values.global | default dict) "imageRegistry" | default "" | trimSuffix "/" -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry .image.repository .image.tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository .image.tag -}}
{{- end -}}
{{- end -}}

{{- define "upscalefarm.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "upscalefarm.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret with every credential: the chart's own or secrets.existingSecret. */}}
{{- define "upscalefarm.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "upscalefarm.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "upscalefarm.configMapName" -}}
{{- printf "%s-config" (include "upscalefarm.fullname" .) -}}
{{- end -}}

{{- define "upscalefarm.rabbitmqHost" -}}
{{- include "upscalefarm.componentName" (dict "root" . "component" "rabbitmq") -}}
{{- end -}}

{{- define "upscalefarm.postgresqlHost" -}}
{{- include "upscalefarm.componentName" (dict "root" . "component" "postgresql") -}}
{{- end -}}

{{- define "upscalefarm.seaweedfsHost" -}}
{{- include "upscalefarm.componentName" (dict "root" . "component" "seaweedfs") -}}
{{- end -}}

{{/* Farm__S3ServiceUrl: the bundled SeaweedFS's S3 gateway, else externalS3.serviceUrl. */}}
{{- define "upscalefarm.s3ServiceUrl" -}}
{{- if .Values.seaweedfs.enabled -}}
{{- printf "http://%s:8333" (include "upscalefarm.seaweedfsHost" .) -}}
{{- else -}}
{{- .Values.externalS3.serviceUrl -}}
{{- end -}}
{{- end -}}

{{/*
How the workers are scaled: keda, hpa or none. worker.autoscaling.mode auto picks keda when the cluster
serves KEDA's API (helm template: pass --api-versions keda.sh/v1alpha1), else hpa.
*/}}
{{- define "upscalefarm.workerAutoscaler" -}}
{{- $mode := .Values.worker.autoscaling.mode -}}
{{- if eq $mode "auto" -}}
{{- if .Capabilities.APIVersions.Has "keda.sh/v1alpha1" -}}keda{{- else -}}hpa{{- end -}}
{{- else -}}
{{- $mode -}}
{{- end -}}
{{- end -}}

{{/*
Farm__Coordinator__DispatchWindow. The coordinator keeps at most this many tiles in the tile-job queue,
so the queue's length, which KEDA scales on, never exceeds it: below maxReplicas × tilesPerReplica KEDA
could never ask for maxReplicas. 0 (the default) computes max(512, 2 × maxReplicas × tilesPerReplica).
*/}}
{{- define "upscalefarm.dispatchWindow" -}}
{{- $a := .Values.worker.autoscaling -}}
{{- $needed := mul (int $a.maxReplicas) (int $a.tilesPerReplica) -}}
{{- $window := int .Values.coordinator.dispatchWindow -}}
{{- if eq $window 0 -}}
{{- $window = max 512 (mul 2 $needed) -}}
{{- end -}}
{{- if and (eq (include "upscalefarm.workerAutoscaler" .) "keda") (lt (int64 $window) (int64 $needed)) -}}
{{- fail (printf "coordinator.dispatchWindow (%d) is below worker.autoscaling.maxReplicas × tilesPerReplica (%d): the tile queue never holds more than the window, so KEDA could never scale the workers beyond window / tilesPerReplica. Raise the window or set it to 0 (computed)." (int64 $window) (int64 $needed)) -}}
{{- end -}}
{{- $window -}}
{{- end -}}

{{/* A secretKeyRef env entry: (dict "root" $ "name" "Farm__RabbitMqUrl" "key" "rabbitmq-url" "optional" false). */}}
{{- define "upscalefarm.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "upscalefarm.secretName" .root }}
      key: {{ .key }}
      {{- if get . "optional" }}
      optional: true
      {{- end }}
{{- end -}}

{{/*
The S3 user of a role: api (the API), farm (the coordinator and the assembler), worker (the workers).
*/}}
{{- define "upscalefarm.s3User" -}}
{{- if eq . "api" -}}api{{- else if eq . "worker" -}}worker{{- else -}}farm{{- end -}}
{{- end -}}

{{/*
Environment of every UpscaleFarm container (the API and the farm roles), after envFrom the ConfigMap:
credentials from the Secret, the instance name and the OpenTelemetry service name. Each role reads the
farm's RabbitMQ user and PostgreSQL role (neither an administrator) and its own S3 key; never the
SeaweedFS identities file, the RabbitMQ administrator or the PostgreSQL superuser.
(dict "root" $ "role" "worker")
*/}}
{{- define "upscalefarm.commonEnv" -}}
{{- $s3 := include "upscalefarm.s3User" .role -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: Farm__InstanceName
  value: $(POD_NAME)
- name: OTEL_SERVICE_NAME
  value: {{ printf "upscalefarm-%s" .role | quote }}
{{ include "upscalefarm.secretEnv" (dict "root" .root "name" "Farm__RabbitMqUrl" "key" "rabbitmq-url") }}
{{ include "upscalefarm.secretEnv" (dict "root" .root "name" "Farm__DatabaseConnection" "key" "database-connection") }}
{{ include "upscalefarm.secretEnv" (dict "root" .root "name" "Farm__S3AccessKey" "key" (printf "s3-%s-access-key" $s3)) }}
{{ include "upscalefarm.secretEnv" (dict "root" .root "name" "Farm__S3SecretKey" "key" (printf "s3-%s-secret-key" $s3)) }}
{{- with include "upscalefarm.metricsEnv" .root }}
{{ . }}
{{- end }}
{{- with .root.Values.farm.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Farm__HealthPort and the probes of the farm roles, which serve /health/live and /health/ready on it. */}}
{{- define "upscalefarm.farmProbes" -}}
livenessProbe:
  httpGet:
    path: /health/live
    port: health
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /health/ready
    port: health
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
startupProbe:
  httpGet:
    path: /health/live
    port: health
  periodSeconds: 5
  failureThreshold: 60
{{- end -}}

{{/* Pod annotations that roll the pods when the ConfigMap or the credentials given in values change. */}}
{{- define "upscalefarm.podAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret-values: {{ list .Values.secrets .Values.api.tenants .Values.api.adminKeySha256 .Values.externalRabbitmq .Values.externalPostgresql .Values.externalS3 .Values.rabbitmq.username .Values.rabbitmq.password .Values.postgresql.password .Values.seaweedfs.users | toJson | sha256sum }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Volumes every UpscaleFarm pod mounts: (dict "sizeLimit" "20Gi"). */}}
{{- define "upscalefarm.scratchVolumes" -}}
- name: data
  emptyDir:
    sizeLimit: {{ .sizeLimit | quote }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "upscalefarm.scratchMounts" -}}
- name: data
  mountPath: /data
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/*
The name of a one-shot Job, with a hash of its pod template: (dict "root" $ "component" "seaweedfs-bucket" "pod" $pod).
The Jobs are plain objects, not hooks, so that `helm install --wait` (and Argo CD, which runs post-install
hooks only once everything is healthy) does not wait for farm pods that are not ready until the Jobs have
made their users. A Job's pod template is immutable: when it changes, so does the name, and Helm
replaces the old Job with a new one instead of failing to patch it.
*/}}
{{- define "upscalefarm.jobName" -}}
{{- $base := include "upscalefarm.componentName" (dict "root" .root "component" .component) | trunc 54 | trimSuffix "-" -}}
{{- printf "%s-%s" $base (.pod | sha256sum | trunc 8) -}}
{{- end -}}
