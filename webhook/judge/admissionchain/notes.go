package admissionchain

import (
	"encoding/json"
	"fmt"
	"sync"

	"k8s.io/apiserver/pkg/admission"
)

// notes collects what the plugins say without refusing: the warnings they
// add to the request's context (a ValidatingAdmissionPolicy's Warn action)
// and the audit annotations they add to its attributes (its Audit action).
type notes struct {
	admission.Attributes
	mu       sync.Mutex
	warnings []string
}

// AddWarning records a warning, as the API server's response would carry it.
func (n *notes) AddWarning(_, text string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.warnings = append(n.warnings, text)
}

// auditKey is the annotation a ValidatingAdmissionPolicy's Audit action adds.
const auditKey = "validation.policy.admission.k8s.io/validation_failure"

// AddAnnotation records an Audit action's failures as warnings.
func (n *notes) AddAnnotation(key, value string) error {
	if key == auditKey {
		var failures []struct {
			Message string `json:"message"`
			Policy  string `json:"policy"`
			Binding string `json:"binding"`
		}
		if err := json.Unmarshal([]byte(value), &failures); err == nil {
			n.mu.Lock()
			defer n.mu.Unlock()
			for _, f := range failures {
				n.warnings = append(n.warnings, fmt.Sprintf("ValidatingAdmissionPolicy '%s' with binding '%s' audits pods: %s", f.Policy, f.Binding, f.Message))
			}
		}
	}
	return n.Attributes.AddAnnotation(key, value)
}
