package agent

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tarn-project/tarn/agent/durable"
)

// nodeFile holds, in the data directory, the node name of what the
// agent's sinks write (sinks.Env.Node).
const nodeFile = "node"

// nodeName returns the name this data directory's agent goes by in what
// its sinks write (the {node} of an s3 object key): the one stored in
// data_dir/node, written at the first start from $NODE_NAME (set from
// Kubernetes' spec.nodeName in the DaemonSet) or else the host name.
// Stored, it outlives a renamed pod or host, so a batch re-sent after
// such a restart gets the object names it had, not a second copy under
// new ones.
func nodeName(dataDir string) (string, error) {
	path := filepath.Join(dataDir, nodeFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if name := strings.TrimSpace(string(b)); name != "" {
			return name, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("data_dir: %w", err)
	}
	host, _ := os.Hostname()
	name := cmp.Or(strings.TrimSpace(os.Getenv("NODE_NAME")), host, "node")
	if err := durable.WriteFile(path, []byte(name+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("data_dir: %w", err)
	}
	return name, nil
}
