// Command admissible refuses, at apply time, Kubernetes manifests that would
// only fail later: images that do not exist in their registry, and pod
// templates the API server would refuse at pod creation.
//
//	admissible serve           run the validating admission webhook
//	admissible check           judge manifest files, for CI
//	admissible webhook-config  print the ValidatingWebhookConfiguration
//	admissible mirrors check   probe the configured mirror endpoints
//	admissible verify          prove the cluster calls the webhook and it enforces
//	admissible version         print the version
package main

import (
	"fmt"
	"io"
	"os"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage: admissible <command> [flags]

commands:
  serve           run the validating admission webhook
  check           judge manifest files without a cluster
  webhook-config  print the ValidatingWebhookConfiguration for a webhook reached by URL
  mirrors check   probe every configured mirror endpoint the way a node would use it
  verify          prove, on a live cluster, that the API server calls the webhook and it enforces
  version         print the version

Run "admissible <command> -h" for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches to a command and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "check":
		return check(args[1:], stdin, stdout, stderr)
	case "webhook-config":
		return webhookConfig(args[1:], stdout, stderr)
	case "mirrors":
		return mirrorsCommand(args[1:], stdin, stdout, stderr)
	case "verify":
		return verifyCommand(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version)
		return 0
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "admissible: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
