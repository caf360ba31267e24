{{/* The chart's name, for labels. */}}
{{- define "edgepack.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "edgepack.labels" -}}
app.kubernetes.io/name: {{ include "edgepack.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* Labels that select the engine's pods. */}}
{{- define "edgepack.selectorLabels" -}}
app.kubernetes.io/name: {{ include "edgepack.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: engine
{{- end -}}

{{/* The Secret holding the registry username and password the engine uses. */}}
{{- define "edgepack.credentialsSecret" -}}
{{- .Values.ociRegistry.existingSecret | default (printf "%s-oci-credentials" .Release.Name | trunc 63 | trimSuffix "-") -}}
{{- end -}}

{{/* The image pull Secret made from ociRegistry's credentials. */}}
{{- define "edgepack.pullSecret" -}}
{{- printf "%s-registry" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The engine image: repository with a digest when pinned, else with a tag. */}}
{{- define "edgepack.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* A sidekick's container name: "sidekick-" and its model's name as a DNS label. */}}
{{- define "edgepack.sidekickName" -}}
{{- printf "sidekick-%s" (regexReplaceAll "[^a-z0-9-]+" (lower .) "-") | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* A model's image volume: "model-" and its name as a DNS label. */}}
{{- define "edgepack.modelVolumeName" -}}
{{- printf "model-%s" (regexReplaceAll "[^a-z0-9-]+" (lower .) "-") | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
How models reach the engine besides its own pull: "none", or "imageVolume" (each model image's models/NAME folder
mounted read-only at /models/NAME, a subPath of an image volume: Kubernetes 1.33 or later, and a chart built with
--model-images).
*/}}
{{- define "edgepack.modelMount" -}}
{{- $values := .Values.models | default dict -}}
{{- $mount := $values.mount | default "none" -}}
{{- if not (has $mount (list "none" "imageVolume")) -}}
{{- fail (printf "models.mount is %q: use none or imageVolume" $mount) -}}
{{- end -}}
{{- if and (eq $mount "imageVolume") (not $values.images) -}}
{{- fail "models.mount=imageVolume, but this chart has no model images: build or publish with --model-images" -}}
{{- end -}}
{{- $mount -}}
{{- end -}}

{{/*
Installing (or upgrading) without credentials fails here, with the values to set. `helm lint` renders with
neither IsInstall nor IsUpgrade set, so the chart still lints.
*/}}
{{- define "edgepack.requireCredentials" -}}
{{- if and (or .Release.IsInstall .Release.IsUpgrade) (not .Values.ociRegistry.existingSecret) (or (not .Values.ociRegistry.username) (not .Values.ociRegistry.password)) -}}
{{- fail "no registry credentials: set ociRegistry.username and ociRegistry.password (e.g. --set ociRegistry.username=$OCI_USERNAME --set ociRegistry.password=$OCI_PASSWORD), or set ociRegistry.existingSecret to a Secret with 'username' and 'password' keys" -}}
{{- end -}}
{{- end -}}
