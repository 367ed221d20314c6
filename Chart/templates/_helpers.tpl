{{/* The chart name, shortened to fit a DNS label. */}}
{{- define "trustgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every resource name. */}}
{{- define "trustgate.fullname" -}}
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

{{- define "trustgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "trustgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "trustgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "trustgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: trustgate
{{- end }}

{{- define "trustgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "trustgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding tls.crt / tls.key (and ca.crt when generated). */}}
{{- define "trustgate.tlsSecretName" -}}
{{- if eq .Values.certificates.source "secret" }}
{{- required "certificates.existingSecret is required when certificates.source is secret" .Values.certificates.existingSecret }}
{{- else }}
{{- printf "%s-tls" (include "trustgate.fullname" .) }}
{{- end }}
{{- end }}

{{/* The DNS name the API server calls. */}}
{{- define "trustgate.serviceHost" -}}
{{- printf "%s.%s.svc" (include "trustgate.fullname" .) .Release.Namespace }}
{{- end }}

{{- define "trustgate.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Where the CAs of upstreams behind a private CA come from, as YAML: kind (ConfigMap or Secret), name, bundleKey
(the key of the bundle for every upstream, or empty) and hosts (host[:port] -> key); empty when none are set.
*/}}
{{- define "trustgate.upstreamTrust" -}}
{{- $t := .Values.upstreamTrust -}}
{{- if $t.existing.name -}}
kind: {{ $t.existing.kind | default "ConfigMap" }}
name: {{ $t.existing.name }}
bundleKey: {{ $t.existing.bundleKey | default "" | quote }}
hosts: {{ toJson ($t.existing.hostKeys | default dict) }}
{{- else if or $t.caBundle $t.hosts -}}
{{- $hosts := dict -}}
{{- range $i, $h := keys $t.hosts | sortAlpha }}{{ $_ := set $hosts $h (printf "host-%d.crt" $i) }}{{ end -}}
kind: ConfigMap
name: {{ include "trustgate.fullname" . }}-upstream-ca
bundleKey: {{ if $t.caBundle }}ca-bundle.crt{{ else }}""{{ end }}
hosts: {{ toJson $hosts }}
{{- end -}}
{{- end }}

{{/* The ConfigMap holding the highest Notary metadata versions every replica has trusted. */}}
{{- define "trustgate.stateConfigMap" -}}
{{- printf "%s-notary-versions" (include "trustgate.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Lease that elects the one replica that rechecks running Pods. */}}
{{- define "trustgate.recheckLease" -}}
{{- printf "%s-recheck" (include "trustgate.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Whether the background recheck runs (interval not zero). */}}
{{- define "trustgate.recheckEnabled" -}}
{{- if not (regexMatch "^0+(ms|s|m|h|d)$" (toString .Values.recheck.interval)) }}true{{ end }}
{{- end }}
