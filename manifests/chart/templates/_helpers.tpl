{{- /* Labels of every object. */ -}}
{{- define "admissible.labels" -}}
app.kubernetes.io/name: admissible
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- /* Labels that select the webhook's pods. */ -}}
{{- define "admissible.selectorLabels" -}}
app.kubernetes.io/name: admissible
{{- end }}

{{- /* excludedNamespaces, plus the release's own namespace. */ -}}
{{- define "admissible.excludedNamespaces" -}}
{{- $ns := .Values.excludedNamespaces -}}
{{- if not (has .Release.Namespace $ns) -}}
{{- $ns = append $ns .Release.Namespace -}}
{{- end -}}
{{- toYaml $ns }}
{{- end }}

{{- /* The webhook's own service account, as the API server names its requests. */ -}}
{{- define "admissible.serviceAccountUser" -}}
system:serviceaccount:{{ .Release.Namespace }}:admissible
{{- end }}
