{{/*
The Deployment of one farm role (`upscalefarm serve --role ROLE`), shared by the coordinator, the
assembler and the workers. Parameters (a dict):
  root          the chart's root context
  role          coordinator | assembler | worker
  settings      the role's values (.Values.coordinator, …), read for podLabels, priorityClassName,
                topologySpreadConstraints, extraVolumes, extraVolumeMounts, affinity and extraEnv (not
                for the image)
  image         {repository, tag}
  replicas      an integer, or "" to leave the count to an autoscaler
  env           extra env entries of the role (a list of {name, value})
  resources     the container's resources (a map)
  nodeSelector, tolerations, runtimeClassName, terminationGracePeriodSeconds, strategy: optional
*/}}
{{- define "upscalefarm.farmDeployment" -}}
{{- $root := .root -}}
{{- $s := .settings -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "upscalefarm.componentName" (dict "root" $root "component" .role) }}
  labels:
    {{- include "upscalefarm.labels" (dict "root" $root "component" .role) | nindent 4 }}
spec:
  {{- if ne (toString .replicas) "" }}
  replicas: {{ .replicas }}
  {{- end }}
  {{- with .strategy }}
  strategy:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "upscalefarm.selectorLabels" (dict "root" $root "component" .role) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "upscalefarm.podLabels" (dict "root" $root "component" .role "podLabels" $s.podLabels) | nindent 8 }}
      annotations:
        {{- include "upscalefarm.podAnnotations" $root | nindent 8 }}
    spec:
      serviceAccountName: {{ include "upscalefarm.serviceAccountName" $root }}
      automountServiceAccountToken: false
      {{- with .runtimeClassName }}
      runtimeClassName: {{ . }}
      {{- end }}
      {{- with .terminationGracePeriodSeconds }}
      terminationGracePeriodSeconds: {{ . }}
      {{- end }}
      {{- with include "upscalefarm.podScheduling" (dict "root" $root "component" .role "settings" $s) | trim }}{{ . | nindent 6 }}{{ end }}
      {{- with include "upscalefarm.imagePullSecrets" $root | trim }}{{ . | nindent 6 }}{{ end }}
      {{- with $root.Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .role }}
          image: {{ include "upscalefarm.image" (dict "root" $root "image" .image) | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: ["serve", "--role", {{ .role | quote }}]
          {{- with $root.Values.securityContext }}
          securityContext:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: health
              containerPort: {{ int $root.Values.farm.healthPort }}
              protocol: TCP
            {{- with include "upscalefarm.metricsPort" $root }}
            {{- . | nindent 12 }}
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "upscalefarm.configMapName" $root }}
          env:
            - name: Farm__HealthPort
              value: {{ $root.Values.farm.healthPort | int | toString | quote }}
            {{- include "upscalefarm.commonEnv" (dict "root" $root "role" .role) | nindent 12 }}
            {{- with .env }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
            {{- with $s.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- include "upscalefarm.farmProbes" $root | nindent 10 }}
          {{- with .resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            {{- include "upscalefarm.scratchMounts" $root | nindent 12 }}
            {{- with $s.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        {{- include "upscalefarm.scratchVolumes" (dict "sizeLimit" $root.Values.farm.scratchSizeLimit) | nindent 8 }}
        {{- with $s.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $s.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
