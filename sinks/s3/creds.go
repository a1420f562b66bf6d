package s3

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7/pkg/credentials"
)

// credentialsFor picks the credentials of s, in this order: static keys,
// key files, else the usual chain: the environment (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, or MINIO_ACCESS_KEY and MINIO_SECRET_KEY), the
// shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/credentials, profile s.Profile or AWS_PROFILE), then IAM: web
// identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, as EKS sets
// for a Kubernetes service account), the ECS container endpoint, the EC2
// instance metadata.
func credentialsFor(s *Settings) *credentials.Credentials {
	switch {
	case s.AccessKeyID != "":
		return credentials.NewStaticV4(s.AccessKeyID, s.SecretAccessKey, "")
	case s.AccessKeyIDFile != "":
		return credentials.New(&fileCreds{idFile: s.AccessKeyIDFile, secretFile: s.SecretAccessKeyFile})
	}
	return credentials.NewChainCredentials([]credentials.Provider{
		&credentials.EnvAWS{}, &credentials.EnvMinio{},
		&credentials.FileAWSCredentials{Profile: s.Profile},
		&credentials.IAM{},
	})
}

// fileRefresh is how long key files are trusted before they are read
// again.
const fileRefresh = time.Minute

// fileCreds reads the access key id and secret from two files (Kubernetes
// secrets mounted as files), again after fileRefresh.
type fileCreds struct {
	credentials.Expiry
	idFile, secretFile string
}

// Retrieve reads both files.
func (f *fileCreds) Retrieve() (credentials.Value, error) {
	id, err := readKey(f.idFile, "access_key_id_file")
	if err != nil {
		return credentials.Value{}, err
	}
	secret, err := readKey(f.secretFile, "secret_access_key_file")
	if err != nil {
		return credentials.Value{}, err
	}
	f.SetExpiration(time.Now().Add(fileRefresh), 0)
	return credentials.Value{AccessKeyID: id, SecretAccessKey: secret, SignerType: credentials.SignatureV4}, nil
}

// RetrieveWithCredContext is Retrieve.
func (f *fileCreds) RetrieveWithCredContext(*credentials.CredContext) (credentials.Value, error) {
	return f.Retrieve()
}

// readKey reads one key file, trimmed of surrounding white space; the
// error names the key and the file, never the content.
func readKey(path, key string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("%s: %s is empty", key, path)
	}
	return v, nil
}
