{{/* The chart's name, or nameOverride. */}}
{{- define "edgenpu.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A fully qualified app name. Truncated to 63 characters because some Kubernetes name fields are limited to
that (the DNS label limit).
*/}}
{{- define "edgenpu.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "edgenpu.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "edgenpu.labels" -}}
helm.sh/chart: {{ include "edgenpu.chart" . }}
{{ include "edgenpu.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the server's pods. */}}
{{- define "edgenpu.selectorLabels" -}}
app.kubernetes.io/name: {{ include "edgenpu.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The service account's name. */}}
{{- define "edgenpu.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "edgenpu.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The service's application.yaml: the chart's settings, then config.extra merged over them. */}}
{{- define "edgenpu.applicationYaml" -}}
{{- $base := dict "edgenpu" (dict
      "model-repository" .Values.config.modelRepository
      "default-device" .Values.config.defaultDevice
      "npu" (dict "profile" .Values.config.npu.profile "time-scale" .Values.config.npu.timeScale)
      "shutdown" (dict "drain-timeout" (printf "%ds" (int .Values.shutdown.drainTimeoutSeconds))))
    "server" (dict "port" .Values.service.httpPort)
    "spring" (dict "grpc" (dict "server" (dict "port" .Values.service.grpcPort))) }}
{{- toYaml (mergeOverwrite $base (deepCopy .Values.config.extra)) }}
{{- end }}
