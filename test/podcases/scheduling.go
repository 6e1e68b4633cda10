package podcases

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func nodeAffinity(s *appsv1.StatefulSet, terms ...corev1.NodeSelectorTerm) {
	spec(s).Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: terms}}}
}

func req(key string, op corev1.NodeSelectorOperator, values ...string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: op, Values: values}
}

func podAffinityTerm(key string, sel *metav1.LabelSelector) corev1.PodAffinityTerm {
	return corev1.PodAffinityTerm{TopologyKey: key, LabelSelector: sel}
}

func schedulingCases() [][]mutation {
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}}
	spread := func(s *appsv1.StatefulSet, c corev1.TopologySpreadConstraint) {
		if c.LabelSelector == nil {
			c.LabelSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "podcases"}}
		}
		spec(s).TopologySpreadConstraints = []corev1.TopologySpreadConstraint{c}
	}
	okSpread := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule}
	with := func(f func(*corev1.TopologySpreadConstraint)) corev1.TopologySpreadConstraint {
		c := okSpread
		f(&c)
		return c
	}
	out := [][]mutation{
		each("nodeSelector key", badLabelKeys, func(s *appsv1.StatefulSet, v string) { spec(s).NodeSelector = map[string]string{v: "x"} }),
		each("nodeSelector value", []string{"a b", "-a", repeat("v", 64)}, func(s *appsv1.StatefulSet, v string) { spec(s).NodeSelector = map[string]string{"k": v} }),
		each("nodeName", []string{"UPPER_", "a b", repeat("n", 254)}, func(s *appsv1.StatefulSet, v string) { spec(s).NodeName = v }),
		one("nodeName with schedulingGates", func(s *appsv1.StatefulSet) {
			spec(s).NodeName = "node-1"
			spec(s).SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/gate"}}
		}),
		each("schedulingGates[0].name", []string{"a b", "", "-x"}, func(s *appsv1.StatefulSet, v string) {
			spec(s).SchedulingGates = []corev1.PodSchedulingGate{{Name: v}}
		}),
		one("schedulingGates duplicate", func(s *appsv1.StatefulSet) {
			spec(s).SchedulingGates = []corev1.PodSchedulingGate{{Name: "g"}, {Name: "g"}}
		}),
		one("tolerations: Exists with a value", func(s *appsv1.StatefulSet) {
			spec(s).Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Value: "v"}}
		}),
		each("tolerations[0].operator", []corev1.TolerationOperator{"Foo", "exists"}, func(s *appsv1.StatefulSet, v corev1.TolerationOperator) {
			spec(s).Tolerations = []corev1.Toleration{{Key: "k", Operator: v}}
		}),
		each("tolerations[0].effect", []corev1.TaintEffect{"Foo", "noschedule"}, func(s *appsv1.StatefulSet, v corev1.TaintEffect) {
			spec(s).Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: v}}
		}),
		one("tolerations: tolerationSeconds with NoSchedule", func(s *appsv1.StatefulSet) {
			spec(s).Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule, TolerationSeconds: ptr(int64(5))}}
		}),
		each("tolerations[0].key", []string{"a b", "-k"}, func(s *appsv1.StatefulSet, v string) {
			spec(s).Tolerations = []corev1.Toleration{{Key: v, Operator: corev1.TolerationOpExists}}
		}),
		one("tolerations: empty key with Equal", func(s *appsv1.StatefulSet) {
			spec(s).Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpEqual, Value: "v"}}
		}),
		one("nodeAffinity: no terms", func(s *appsv1.StatefulSet) { nodeAffinity(s) }),
		each("nodeAffinity operator", []corev1.NodeSelectorOperator{"Foo", "in"}, func(s *appsv1.StatefulSet, v corev1.NodeSelectorOperator) {
			nodeAffinity(s, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req("k", v, "a")}})
		}),
		one("nodeAffinity In without values", func(s *appsv1.StatefulSet) {
			nodeAffinity(s, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req("k", corev1.NodeSelectorOpIn)}})
		}),
		one("nodeAffinity Exists with values", func(s *appsv1.StatefulSet) {
			nodeAffinity(s, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req("k", corev1.NodeSelectorOpExists, "a")}})
		}),
		each("nodeAffinity Gt value", []string{"abc", "1.5"}, func(s *appsv1.StatefulSet, v string) {
			nodeAffinity(s, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req("k", corev1.NodeSelectorOpGt, v)}})
		}),
		one("nodeAffinity Gt with two values", func(s *appsv1.StatefulSet) {
			nodeAffinity(s, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req("k", corev1.NodeSelectorOpGt, "1", "2")}})
		}),
		one("nodeAffinity matchFields on a label", func(s *appsv1.StatefulSet) {
			nodeAffinity(s, corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{req("metadata.labels", corev1.NodeSelectorOpIn, "a")}})
		}),
		one("nodeAffinity matchFields with two values", func(s *appsv1.StatefulSet) {
			nodeAffinity(s, corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{req("metadata.name", corev1.NodeSelectorOpIn, "a", "b")}})
		}),
		each("nodeAffinity key", badLabelKeys, func(s *appsv1.StatefulSet, v string) {
			nodeAffinity(s, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req(v, corev1.NodeSelectorOpExists)}})
		}),
		each("preferred nodeAffinity weight", []int32{0, 101, -1}, func(s *appsv1.StatefulSet, v int32) {
			spec(s).Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: v,
				Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req("k", corev1.NodeSelectorOpExists)}}}}}}
		}),
		one("podAffinity: no topologyKey", func(s *appsv1.StatefulSet) {
			spec(s).Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{podAffinityTerm("", sel)}}}
		}),
		one("podAntiAffinity: no topologyKey", func(s *appsv1.StatefulSet) {
			spec(s).Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{podAffinityTerm("", sel)}}}
		}),
		each("podAffinity topologyKey", []string{"a b", "-k"}, func(s *appsv1.StatefulSet, v string) {
			spec(s).Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{podAffinityTerm(v, sel)}}}
		}),
		each("podAntiAffinity preferred weight", []int32{0, 101}, func(s *appsv1.StatefulSet, v int32) {
			spec(s).Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: v, PodAffinityTerm: podAffinityTerm("zone", sel)}}}}
		}),
		one("podAffinity labelSelector operator Foo", func(s *appsv1.StatefulSet) {
			spec(s).Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{podAffinityTerm("zone",
				&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Foo"}}})}}}
		}),
		one("podAffinity namespaces invalid", func(s *appsv1.StatefulSet) {
			t := podAffinityTerm("zone", sel)
			t.Namespaces = []string{"UPPER_"}
			spec(s).Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{t}}}
		}),
		one("podAffinity matchLabelKeys overlapping the selector", func(s *appsv1.StatefulSet) {
			t := podAffinityTerm("zone", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "podcases"}})
			t.MatchLabelKeys = []string{"app"}
			spec(s).Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{t}}}
		}),
		one("podAffinity matchLabelKeys and mismatchLabelKeys share a key", func(s *appsv1.StatefulSet) {
			t := podAffinityTerm("zone", sel)
			t.MatchLabelKeys, t.MismatchLabelKeys = []string{"k"}, []string{"k"}
			spec(s).Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{t}}}
		}),
		one("topologySpread maxSkew 0", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) { c.MaxSkew = 0 }))
		}),
		one("topologySpread no topologyKey", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) { c.TopologyKey = "" }))
		}),
		one("topologySpread whenUnsatisfiable Foo", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) { c.WhenUnsatisfiable = "Foo" }))
		}),
		one("topologySpread minDomains 0", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) { c.MinDomains = ptr(int32(0)) }))
		}),
		one("topologySpread minDomains with ScheduleAnyway", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) {
				c.MinDomains, c.WhenUnsatisfiable = ptr(int32(2)), corev1.ScheduleAnyway
			}))
		}),
		one("topologySpread nodeAffinityPolicy Foo", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) {
				c.NodeAffinityPolicy = ptr(corev1.NodeInclusionPolicy("Foo"))
			}))
		}),
		one("topologySpread nodeTaintsPolicy Foo", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) { c.NodeTaintsPolicy = ptr(corev1.NodeInclusionPolicy("Foo")) }))
		}),
		one("topologySpread matchLabelKeys overlapping the selector", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) { c.MatchLabelKeys = []string{"app"} }))
		}),
		one("topologySpread matchLabelKeys invalid key", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) { c.MatchLabelKeys = []string{"a b"} }))
		}),
		one("topologySpread duplicate constraint", func(s *appsv1.StatefulSet) {
			spread(s, okSpread)
			spec(s).TopologySpreadConstraints = append(spec(s).TopologySpreadConstraints, spec(s).TopologySpreadConstraints[0])
		}),
		one("topologySpread labelSelector invalid", func(s *appsv1.StatefulSet) {
			spread(s, with(func(c *corev1.TopologySpreadConstraint) {
				c.LabelSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "In"}}}
			}))
		}),
		each("priorityClassName", []string{"UPPER_", "a b"}, func(s *appsv1.StatefulSet, v string) { spec(s).PriorityClassName = v }),
		each("priority set by hand", []int32{1000, -5}, func(s *appsv1.StatefulSet, v int32) { spec(s).Priority = &v }),
		each("preemptionPolicy", []corev1.PreemptionPolicy{"Foo"}, func(s *appsv1.StatefulSet, v corev1.PreemptionPolicy) { spec(s).PreemptionPolicy = &v }),
		each("schedulerName", []string{"UPPER_", "a b"}, func(s *appsv1.StatefulSet, v string) { spec(s).SchedulerName = v }),
	}
	for i, key := range []string{"a b", "UPPER_"} {
		key := key
		out = append(out, one(fmt.Sprintf("readinessGates[%d] conditionType %q", i, key), func(s *appsv1.StatefulSet) {
			spec(s).ReadinessGates = []corev1.PodReadinessGate{{ConditionType: corev1.PodConditionType(key)}}
		}))
	}
	return out
}
