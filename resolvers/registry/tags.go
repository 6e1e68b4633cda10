package registry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
)

// Tags lists the tags of repo on one endpoint (GET .../tags/list, following
// pagination) with creds, within the client's per-lookup timeout.
func (c *Client) Tags(ctx context.Context, ep resolvers.Endpoint, repo name.Repository, creds credentials.Set) ([]string, error) {
	target, err := retarget(ep, repo.Tag("latest"))
	if err != nil {
		return nil, err
	}
	p, err := c.puller(ep, creds)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	tags, err := p.List(ctx, target.Context())
	if err != nil {
		return nil, fmt.Errorf("list tags of %s on %s: %w", repo, ep, err)
	}
	return tags, nil
}
