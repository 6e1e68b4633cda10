// Package mirrors walks the endpoints a node's container runtime tries for an
// image, in the order it tries them.
//
// Two front ends give one host list per registry, as containerd v2 builds it:
//
//   - a containerd certs.d directory (WithHostsDir), read by containerd's own
//     code (core/remotes/docker/config): directories host_port_, then
//     host:port, then _default; [host] tables in file order, then server or
//     the registry itself; capabilities, override_path, skip_verify and
//     header, at the top level for server; a file containerd cannot use is
//     skipped as containerd skips it (Check says why);
//   - Talos' machine.registries.mirrors (Config), turned into the host list
//     Talos renders into hosts.toml: one host per endpoint with capabilities
//     pull and resolve and the mirror's overridePath; with skipFallback the
//     last endpoint is the server line and the registry is never asked.
//
// The walk follows containerd's resolver: only hosts with "resolve" are asked
// for a tag, hosts with "pull" for a digest; an endpoint that answers 2xx ends
// the walk, whatever it served; a transport error or a status of 400 or more
// moves on to the next endpoint. Chain.Walk says which endpoints a node asks
// for a reference, and which is the registry's own; Chain.Resolve asks them,
// and webhook/judge/circle reads them to find a registry that serves its own
// images.
//
// The verdict is Found when the walk ended on a manifest. It is NotFound when
// the registry's own answer (the last host when it is the registry itself or
// hosts.toml's server; none with Talos skipFallback) is NotFound, even after
// mirrors that did not answer, which the Result's attempts name; or when
// every endpoint asked answered NotFound. Otherwise it is Undetermined.
//
// differential_test.go checks this walk against containerd's resolver over a
// matrix of configurations and fault registries.
package mirrors
