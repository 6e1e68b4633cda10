package podcases

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// probeCases varies every probe of the container the same ways.
func probeCases() [][]mutation {
	exec := corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}
	variants := []struct {
		name  string
		probe corev1.Probe
	}{
		{"no handler", corev1.Probe{}},
		{"two handlers", corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: exec.Exec, TCPSocket: &corev1.TCPSocketAction{Port: port(80)}}}},
		{"httpGet.port 0", corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: port(0)}}}},
		{"httpGet.port 70000", corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: port(70000)}}}},
		{"httpGet.port name UPPER", corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: strPort("UPPER")}}}},
		{"httpGet.scheme FTP", corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: port(80), Scheme: "FTP"}}}},
		{"httpGet.httpHeaders name with a space", corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: port(80), HTTPHeaders: []corev1.HTTPHeader{{Name: "a b", Value: "x"}}}}}},
		{"tcpSocket.port 0", corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: port(0)}}}},
		{"grpc.port 0", corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 0}}}},
		{"periodSeconds -1", corev1.Probe{ProbeHandler: exec, PeriodSeconds: -1}},
		{"timeoutSeconds -1", corev1.Probe{ProbeHandler: exec, TimeoutSeconds: -1}},
		{"failureThreshold -1", corev1.Probe{ProbeHandler: exec, FailureThreshold: -1}},
		{"initialDelaySeconds -1", corev1.Probe{ProbeHandler: exec, InitialDelaySeconds: -1}},
		{"successThreshold 2", corev1.Probe{ProbeHandler: exec, SuccessThreshold: 2}},
		{"terminationGracePeriodSeconds 0", corev1.Probe{ProbeHandler: exec, TerminationGracePeriodSeconds: ptr(int64(0))}},
	}
	var out [][]mutation
	for _, which := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
		for _, v := range variants {
			which, v := which, v
			out = append(out, one(fmt.Sprintf("containers[0].%s: %s", which, v.name), func(s *appsv1.StatefulSet) {
				p := v.probe
				switch which {
				case "livenessProbe":
					ctr(s).LivenessProbe = &p
				case "readinessProbe":
					ctr(s).ReadinessProbe = &p
				default:
					ctr(s).StartupProbe = &p
				}
			}))
		}
	}
	return out
}
