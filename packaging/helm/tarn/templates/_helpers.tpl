{{/* The name of the chart's objects. */}}
{{- define "tarn.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tarn.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tarn.labels" -}}
{{ include "tarn.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "tarn.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tarn.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tarn.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The labels of every input: the cluster and the input's own. */}}
{{- define "tarn.inputLabels" -}}
{{- $l := dict -}}
{{- if .root.Values.cluster }}{{- $_ := set $l "cluster" .root.Values.cluster -}}{{- end -}}
{{- $l = merge (deepCopy (default dict .labels)) $l -}}
{{- if $l }}{{ printf "labels: %s" (toJson $l) }}{{ end -}}
{{- end -}}

{{/* infrastructure_networks of a pushed-labels input. */}}
{{- define "tarn.infrastructureNetworks" -}}
{{- with .Values.infrastructureNetworks }}{{ printf "infrastructure_networks: %s" (toJson .) }}{{ end -}}
{{- end -}}

{{/* tarn.yaml */}}
{{- define "tarn.config" -}}
{{- $v := .Values -}}
{{- $sidecar := eq $v.mode "sidecar" -}}
{{- $inputs := list -}}
data_dir: /var/lib/tarn
rules: rules.yaml   # beside this file, in the ConfigMap's directory
key_file: /etc/tarn/key/{{ $v.key.secretKey }}
inputs:
{{- if $sidecar }}
  - name: app
    type: file
    paths: {{ toJson $v.sidecar.paths }}
    format: {{ $v.sidecar.format }}
    {{- with include "tarn.inputLabels" (dict "root" . "labels" $v.sidecar.labels) }}{{ . | nindent 4 }}{{ end }}
{{- else if $v.pods.enabled }}
  - name: pods
    type: file
    paths: {{ toJson $v.pods.paths }}
    format: cri
    message_format: {{ $v.pods.messageFormat }}
    start_at: {{ $v.pods.startAt }}
    {{- with include "tarn.inputLabels" (dict "root" . "labels" $v.pods.labels) }}{{ . | nindent 4 }}{{ end }}
    {{- with $v.pods.select }}
    select:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- end }}
{{- if $v.otlp.enabled }}
  - name: otel
    type: otlp
    {{- if $sidecar }}
    grpc: {listen: "127.0.0.1:{{ $v.otlp.grpcPort }}"}
    http: {listen: "127.0.0.1:{{ $v.otlp.httpPort }}"}
    {{- else }}
    grpc: {listen: "0.0.0.0:{{ $v.otlp.grpcPort }}"}
    http: {listen: "0.0.0.0:{{ $v.otlp.httpPort }}"}
    {{- end }}
    {{- if $v.otlp.token.existingSecret }}
    bearer_token_file: /etc/tarn/otlp/{{ $v.otlp.token.secretKey }}
    {{- end }}
    {{- with $v.otlp.resourceLabels }}
    resource_labels: {{ toJson . }}
    {{- end }}
    {{- with include "tarn.inputLabels" (dict "root" . "labels" dict) }}{{ . | nindent 4 }}{{ end }}
    {{- with include "tarn.infrastructureNetworks" . }}{{ . | nindent 4 }}{{ end }}
{{- end }}
{{- if and $v.lokiPush.enabled (not $sidecar) }}
  - name: push
    type: loki_push
    listen: "0.0.0.0:{{ $v.lokiPush.port }}"
    {{- if $v.lokiPush.token.existingSecret }}
    bearer_token_file: /etc/tarn/push/{{ $v.lokiPush.token.secretKey }}
    {{- end }}
    {{- with include "tarn.inputLabels" (dict "root" . "labels" dict) }}{{ . | nindent 4 }}{{ end }}
    {{- with include "tarn.infrastructureNetworks" . }}{{ . | nindent 4 }}{{ end }}
{{- end }}
{{- with $v.extraInputs }}
{{ toYaml . | indent 2 }}
{{- end }}
sinks:
{{- if $v.loki.enabled }}
  - name: loki
    type: loki
    url: {{ required "loki.url is required when loki.enabled" $v.loki.url | quote }}
    {{- with $v.loki.tenantId }}
    tenant_id: {{ . | quote }}
    {{- end }}
    {{- with $v.loki.extraSettings }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- if $v.s3.enabled }}
  - name: s3
    type: s3
    bucket: {{ required "s3.bucket is required when s3.enabled" $v.s3.bucket | quote }}
    {{- with $v.s3.endpoint }}
    endpoint: {{ . | quote }}
    {{- end }}
    {{- with $v.s3.region }}
    region: {{ . | quote }}
    {{- end }}
    {{- with $v.s3.prefix }}
    prefix: {{ . | quote }}
    {{- end }}
    {{- if $v.s3.credentials.existingSecret }}
    access_key_id_file: /etc/tarn/s3/{{ $v.s3.credentials.accessKeyIdKey }}
    secret_access_key_file: /etc/tarn/s3/{{ $v.s3.credentials.secretAccessKeyKey }}
    {{- end }}
    {{- with $v.s3.extraSettings }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- with $v.extraSinks }}
{{ toYaml . | indent 2 }}
{{- end }}
retention:
  max_age: {{ $v.retention.maxAge }}
server:
  listen: 0.0.0.0:{{ $v.metrics.port }}
{{- end -}}

{{/* The checks of values that cannot render a working agent. */}}
{{- define "tarn.validate" -}}
{{- $v := .Values -}}
{{- if not (has $v.mode (list "daemonset" "sidecar")) -}}
{{- fail (printf "mode must be daemonset or sidecar, got %q" $v.mode) -}}
{{- end -}}
{{- if not (or $v.loki.enabled $v.s3.enabled $v.extraSinks) -}}
{{- fail "no sink: enable loki or s3, or give extraSinks" -}}
{{- end -}}
{{- if not $v.key.existingSecret -}}
{{- fail "key.existingSecret is required: the pseudonym key, the same on every node (kubectl create secret generic tarn-key --from-literal=key=$(tarn keygen))" -}}
{{- end -}}
{{- if eq $v.mode "daemonset" -}}
{{- if and $v.otlp.enabled (not $v.otlp.token.existingSecret) -}}
{{- fail "otlp.token.existingSecret is required in mode daemonset: the OTLP input listens on the pod network" -}}
{{- end -}}
{{- if and $v.lokiPush.enabled (not $v.lokiPush.token.existingSecret) -}}
{{- fail "lokiPush.token.existingSecret is required in mode daemonset: the push input listens on the pod network" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The volume mounts of the tarn container. */}}
{{- define "tarn.volumeMounts" -}}
# The ConfigMap as a directory, never with subPath: kubelet updates it
# in place (a swap of its ..data symlink) and tarn reloads on a change of
# tarn.yaml or of a rules file it names.
- {name: tarn-config, mountPath: /etc/tarn/config, readOnly: true}
- {name: tarn-key, mountPath: /etc/tarn/key, readOnly: true}
{{- if and .Values.otlp.enabled .Values.otlp.token.existingSecret }}
- {name: tarn-otlp-token, mountPath: /etc/tarn/otlp, readOnly: true}
{{- end }}
{{- if and .Values.lokiPush.enabled .Values.lokiPush.token.existingSecret (ne .Values.mode "sidecar") }}
- {name: tarn-push-token, mountPath: /etc/tarn/push, readOnly: true}
{{- end }}
{{- if and .Values.s3.enabled .Values.s3.credentials.existingSecret }}
- {name: tarn-s3, mountPath: /etc/tarn/s3, readOnly: true}
{{- end }}
{{- end -}}

{{/* The volumes of the ConfigMap and the Secrets. */}}
{{- define "tarn.volumes" -}}
{{- /* the sidecar runs as a non-root user: its Secrets are readable by all of the pod */ -}}
{{- $mode := ternary "0444" "0400" (eq .Values.mode "sidecar") -}}
- name: tarn-config
  configMap: {name: {{ include "tarn.fullname" . }}}
- name: tarn-key
  secret: {secretName: {{ .Values.key.existingSecret }}, defaultMode: {{ $mode }}}
{{- if and .Values.otlp.enabled .Values.otlp.token.existingSecret }}
- name: tarn-otlp-token
  secret: {secretName: {{ .Values.otlp.token.existingSecret }}, defaultMode: {{ $mode }}}
{{- end }}
{{- if and .Values.lokiPush.enabled .Values.lokiPush.token.existingSecret (ne .Values.mode "sidecar") }}
- name: tarn-push-token
  secret: {secretName: {{ .Values.lokiPush.token.existingSecret }}, defaultMode: {{ $mode }}}
{{- end }}
{{- if and .Values.s3.enabled .Values.s3.credentials.existingSecret }}
- name: tarn-s3
  secret: {secretName: {{ .Values.s3.credentials.existingSecret }}, defaultMode: {{ $mode }}}
{{- end }}
{{- end -}}

{{/* The container's security context. */}}
{{- define "tarn.containerSecurityContext" -}}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities: {drop: [ALL]}
{{- end -}}

{{/* The sidecar: the container and volumes to add to the application's
pod spec (mode sidecar), printed by NOTES.txt. */}}
{{- define "tarn.sidecar" -}}
containers:
  - name: tarn
    image: {{ include "tarn.image" . }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    args: ["run", "--config", "/etc/tarn/config/tarn.yaml"]
    ports:
      - {name: tarn-metrics, containerPort: {{ .Values.metrics.port }}}
    {{- with .Values.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    securityContext:
      runAsNonRoot: true
      runAsUser: 65532
      {{- include "tarn.containerSecurityContext" . | nindent 6 }}
    readinessProbe:
      httpGet: {path: /readyz, port: tarn-metrics}
    livenessProbe:
      httpGet: {path: /healthz, port: tarn-metrics}
    volumeMounts:
      - {name: {{ .Values.sidecar.logVolume }}, mountPath: {{ .Values.sidecar.logDir }}, readOnly: true}
      - {name: tarn-state, mountPath: /var/lib/tarn}
      {{- include "tarn.volumeMounts" . | nindent 6 }}
volumes:
  - name: tarn-state
    emptyDir: {}
  {{- include "tarn.volumes" . | nindent 2 }}
{{- end -}}
