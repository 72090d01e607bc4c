{{- define "odcs.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "odcs.labels" -}}
app.kubernetes.io/name: odcs
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "odcs.selectorLabels" -}}
app.kubernetes.io/name: odcs
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "odcs.image" -}}
{{- if .Values.image.digest -}}
{{ printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else -}}
{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end -}}
{{- end -}}

{{- define "odcs.secretName" -}}
{{- default (include "odcs.fullname" .) .Values.existingSecret -}}
{{- end -}}


{{- /* nginx.conf of composes-web: /composes/ from the volume, .staging and .trash hidden. */ -}}
{{- define "odcs.composesNginxConf" -}}
worker_processes 2;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  sendfile on;
  tcp_nopush on;
  server_tokens off;
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp;
  fastcgi_temp_path /tmp/fastcgi_temp;
  uwsgi_temp_path /tmp/uwsgi_temp;
  scgi_temp_path /tmp/scgi_temp;
  server {
    listen 8080;
    location = /healthz { return 200 "ok\n"; }
    location ~ ^/composes/\. { return 404; }
    location /composes/ {
      alias {{ .Values.volume.mountPath }}/;
      autoindex on;
    }
  }
}
{{- end -}}
