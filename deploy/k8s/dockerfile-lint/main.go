// dockerfile-lint runs the checks of `docker build --check` (BuildKit's Dockerfile linter:
// JSONArgsRecommended, UndefinedVar, LegacyKeyValueFormat, FromAsCasing, StageNameCasing,
// SecretsUsedInArgOrEnv, WorkdirRelativePath, ...) without a Docker engine or a registry.
// Base images are not fetched: every FROM resolves to a minimal Linux image whose config only
// sets PATH, so rules that depend on a base image's real configuration are approximated.
// Any warning is a failure.
//
//	go build -o dockerfile-lint . && ./dockerfile-lint services/*/Dockerfile
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// offline answers every base-image lookup without contacting a registry.
type offline struct{}

func (offline) ResolveImageConfig(
	_ context.Context, ref string, _ sourceresolver.Opt,
) (string, digest.Digest, []byte, error) {
	img := dockerspec.DockerOCIImage{}
	img.Platform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	img.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	dt, err := json.Marshal(img)
	return ref, digest.FromBytes(dt), dt, err
}

func lint(ctx context.Context, path string) (int, error) {
	dt, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	def, err := llb.Scratch().Marshal(ctx)
	if err != nil {
		return 0, err
	}
	source := llb.NewSourceMap(nil, path, "Dockerfile", dt)
	source.Definition = def
	res, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		SourceMap:    source,
		MetaResolver: offline{},
	})
	if err != nil {
		return 0, err
	}
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		fmt.Printf("FAIL %s:%d: %s: %s (%s)\n", path, line, w.RuleName, w.Detail, w.URL)
	}
	problems := len(res.Warnings)
	if res.Error != nil {
		fmt.Printf("FAIL %s: %s\n", path, res.Error.Message)
		problems++
	}
	if problems == 0 {
		fmt.Printf("ok   %s\n", path)
	}
	return problems, nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: dockerfile-lint Dockerfile...")
		os.Exit(2)
	}
	problems := 0
	for _, path := range os.Args[1:] {
		n, err := lint(context.Background(), path)
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", path, err)
			n = 1
		}
		problems += n
	}
	if problems > 0 {
		os.Exit(1)
	}
}
