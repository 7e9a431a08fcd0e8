{{/*
Pieces of networkpolicy.yaml. Rules and peers are built as data (JSON between templates) and written
with toYaml, so that an empty peer list can be left out (a rule without from/to admits any peer, as the
values' documentation says of an empty list).
*/}}

{{/* A peer selecting one component's pods in the release's namespace: (dict "root" $ "component" "api") → JSON. */}}
{{- define "upscalefarm.np.pods" -}}
{{- toJson (dict "podSelector" (dict "matchLabels" (include "upscalefarm.selectorLabels" . | fromYaml))) -}}
{{- end -}}

{{/* TCP ports: a list of port numbers → JSON list of NetworkPolicyPort. */}}
{{- define "upscalefarm.np.tcp" -}}
{{- $ports := list -}}
{{- range . }}{{ $ports = append $ports (dict "protocol" "TCP" "port" (int .)) }}{{ end -}}
{{- toJson $ports -}}
{{- end -}}

{{/*
One rule: (dict "direction" "from" "peers" LIST "ports" LIST) → JSON. No peers: any peer; no ports: every port.
*/}}
{{- define "upscalefarm.np.rule" -}}
{{- $rule := dict -}}
{{- if .peers }}{{ $_ := set $rule .direction .peers }}{{ end -}}
{{- if .ports }}{{ $_ := set $rule "ports" .ports }}{{ end -}}
{{- toJson $rule -}}
{{- end -}}

{{/*
The TCP port a URL connects to: its own, else its scheme's (80 for http, 443 otherwise: https, and an
empty S3 URL, which is AWS's regional endpoint).
*/}}
{{- define "upscalefarm.np.urlPort" -}}
{{- $u := urlParse . -}}
{{- $port := regexFind ":[0-9]+$" $u.host | trimPrefix ":" -}}
{{- if $port -}}
{{- $port -}}
{{- else if eq $u.scheme "http" -}}
80
{{- else -}}
443
{{- end -}}
{{- end -}}

{{/*
The egress rules of an UpscaleFarm process (the API and every farm role): DNS, and the broker, the job
store and the object store (the bundled service's pods, or networkPolicy.external for one outside the
release), and the OTLP endpoint when there is one. Every role uses all three: the workers read and
write the job store too (tile attempts). Takes the root context → JSON list.
*/}}
{{- define "upscalefarm.np.farmEgress" -}}
{{- $np := .Values.networkPolicy -}}
{{- $ext := $np.external -}}
{{- $rules := list (include "upscalefarm.np.dns" . | fromJson) -}}
{{- $deps := list
      (dict "bundled" .Values.rabbitmq.enabled "component" "rabbitmq" "port" 5672 "external" $ext.rabbitmq "urlPort" "5672")
      (dict "bundled" .Values.postgresql.enabled "component" "postgresql" "port" 5432 "external" $ext.postgresql "urlPort" "5432")
      (dict "bundled" .Values.seaweedfs.enabled "component" "seaweedfs" "port" 8333 "external" $ext.s3 "urlPort" (include "upscalefarm.np.urlPort" .Values.externalS3.serviceUrl)) -}}
{{- if .Values.otel.endpoint }}
{{- $deps = append $deps (dict "bundled" false "external" $ext.otlp "urlPort" (include "upscalefarm.np.urlPort" .Values.otel.endpoint)) -}}
{{- end }}
{{- range $deps }}
{{- if .bundled }}
{{- $rules = append $rules (include "upscalefarm.np.rule" (dict "direction" "to" "peers" (list (include "upscalefarm.np.pods" (dict "root" $ "component" .component) | fromJson)) "ports" (include "upscalefarm.np.tcp" (list .port) | fromJsonArray)) | fromJson) -}}
{{- else }}
{{- $ports := .external.ports | default (list .urlPort) -}}
{{- $rules = append $rules (include "upscalefarm.np.rule" (dict "direction" "to" "peers" .external.to "ports" (include "upscalefarm.np.tcp" $ports | fromJsonArray)) | fromJson) -}}
{{- end }}
{{- end }}
{{- toJson $rules -}}
{{- end -}}

{{/* The DNS rule: networkPolicy.dnsTo on UDP and TCP 53. Root context → JSON. */}}
{{- define "upscalefarm.np.dns" -}}
{{- include "upscalefarm.np.rule" (dict "direction" "to" "peers" .Values.networkPolicy.dnsTo
      "ports" (list (dict "protocol" "UDP" "port" 53) (dict "protocol" "TCP" "port" 53))) -}}
{{- end -}}

{{/*
The API's webhook rule: 0.0.0.0/0 and ::/0 on networkPolicy.webhooks.ports, minus the excepted ranges
(each to the block of its family). Root context → JSON.
*/}}
{{- define "upscalefarm.np.webhooks" -}}
{{- $w := .Values.networkPolicy.webhooks -}}
{{- $v4 := list -}}
{{- $v6 := list -}}
{{- range $w.except }}
{{- if contains ":" . }}{{ $v6 = append $v6 . }}{{ else }}{{ $v4 = append $v4 . }}{{ end -}}
{{- end }}
{{- $blocks := list -}}
{{- range $family := list (dict "cidr" "0.0.0.0/0" "except" $v4) (dict "cidr" "::/0" "except" $v6) }}
{{- $block := dict "cidr" $family.cidr -}}
{{- with $family.except }}{{ $_ := set $block "except" . }}{{ end -}}
{{- $blocks = append $blocks (dict "ipBlock" $block) -}}
{{- end }}
{{- include "upscalefarm.np.rule" (dict "direction" "to" "peers" $blocks "ports" (include "upscalefarm.np.tcp" $w.ports | fromJsonArray)) -}}
{{- end -}}
