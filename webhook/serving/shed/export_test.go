package shed

import "github.com/prometheus/client_golang/prometheus"

// ShedCounter and InFlightGauge expose the metrics to the tests.
func (l *Limiter) ShedCounter() prometheus.Collector   { return l.shed }
func (l *Limiter) InFlightGauge() prometheus.Collector { return l.inFlight }
