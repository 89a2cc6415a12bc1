// kpack-registry: the e2e's registry for kpack's controller. No registry is reachable from the e2e, and
// kpack's controller reads real images before it builds anything: a ClusterStack's build and run images,
// a ClusterLifecycle's image, a ClusterStore's buildpackages, and the builder image its ClusterBuilder
// writes. This serves go-containerregistry's in-process registry (pkg/registry) on loopback and pushes
// into it, before it answers anything else, synthetic images made with go-containerregistry (empty,
// random, mutate) carrying what kpack v0.17.2's readers look for:
//
//   - build and run images labelled io.buildpacks.stack.id (pkg/cnb remote_stack_reader.go
//     validateStackId), the build image with integer CNB_USER_ID and CNB_GROUP_ID in its env (parseCNBID);
//   - a lifecycle image with io.buildpacks.builder.metadata (the lifecycle's version) and
//     io.buildpacks.lifecycle.apis (remote_lifecycle_reader.go), platform APIs 0.7 and 0.8 (kpack builds
//     a builder only for one of 0.3..0.8, builder_builder.go validatePlatformApis, and makes a build pod
//     for one of 0.7..0.9, build_pod.go supportedPlatformAPIVersions), its last layer the lifecycle's and
//     its OS and architecture the build image's (create_builder.go getLifecycleLayer, platformMatches);
//   - buildpackages labelled io.buildpacks.buildpack.layers, whose layer diff IDs are layers of the image
//     and whose buildpack API the lifecycle supports (remote_store_reader.go, buildpack_validation.go).
//
// Two run images and two versions of the one buildpack are served, so that the e2e can move a
// ClusterStack to a new run image and add a newer buildpack to a ClusterStore. The images' refs, with
// their digests, are written as JSON to -images once they are all in; the registry keeps serving (and
// takes the builder images kpack pushes) until it is stopped.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"net"
	"net/http"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Images is what -images holds: each image's ref by tag and by digest (repo@sha256:...).
type Images struct {
	Registry         string            `json:"registry"`
	StackID          string            `json:"stackId"`
	BuildImage       string            `json:"buildImage"`
	RunImages        []string          `json:"runImages"`
	LifecycleImage   string            `json:"lifecycleImage"`
	LifecycleVersion string            `json:"lifecycleVersion"`
	BuildpackID      string            `json:"buildpackId"`
	Buildpackages    map[string]string `json:"buildpackages"`
	Digests          map[string]string `json:"digests"`
}

const (
	osName = "linux"
	arch   = "amd64"
	// A CNB build image's user and group; kpack parses them as integers.
	cnbUserID  = "1000"
	cnbGroupID = "1000"
	// The buildpack API of the buildpackages; the lifecycle lists it as supported.
	buildpackAPI = "0.10"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve the registry on (loopback: kpack then speaks plain http to it)")
	imagesFile := flag.String("images", "", "file to write the served images' refs to, as JSON, once they are all pushed")
	stackID := flag.String("stack-id", "io.example.e2e.stack", "the stack id of the build and run images")
	lifecycleVersion := flag.String("lifecycle-version", "0.20.12", "the lifecycle version the lifecycle image declares")
	buildpackID := flag.String("buildpack-id", "example/go", "the id of the buildpack the buildpackages carry")
	flag.Parse()
	if *imagesFile == "" {
		log.Fatal("kpack-registry: -images is required")
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("kpack-registry: listen on %s: %v", *listen, err)
	}
	host := ln.Addr().String()
	go func() {
		// The registry logs every request to stderr: the e2e keeps it as this process's log.
		if err := http.Serve(ln, registry.New()); err != nil {
			log.Fatalf("kpack-registry: serve: %v", err)
		}
	}()

	images, err := pushAll(host, *stackID, *lifecycleVersion, *buildpackID)
	if err != nil {
		log.Fatalf("kpack-registry: %v", err)
	}
	out, err := json.MarshalIndent(images, "", "  ")
	if err != nil {
		log.Fatalf("kpack-registry: %v", err)
	}
	// Written whole, then renamed: whoever waits for the file never reads half of it.
	if err := os.WriteFile(*imagesFile+".tmp", out, 0o644); err != nil {
		log.Fatalf("kpack-registry: write %s: %v", *imagesFile, err)
	}
	if err := os.Rename(*imagesFile+".tmp", *imagesFile); err != nil {
		log.Fatalf("kpack-registry: write %s: %v", *imagesFile, err)
	}
	log.Printf("kpack-registry: serving on %s; images in %s", host, *imagesFile)
	select {}
}

func pushAll(host, stackID, lifecycleVersion, buildpackID string) (*Images, error) {
	images := &Images{Registry: host, StackID: stackID, LifecycleVersion: lifecycleVersion, BuildpackID: buildpackID,
		Buildpackages: map[string]string{}, Digests: map[string]string{}}
	// Seeded: the same images, with the same digests, on every run.
	seed := int64(1)
	layer := func() (v1.Layer, error) {
		seed++
		return random.Layer(512, types.DockerLayer, random.WithSource(rand.NewSource(seed)))
	}
	push := func(repoTag string, img v1.Image) (string, error) {
		ref, err := name.ParseReference(host + "/" + repoTag)
		if err != nil {
			return "", fmt.Errorf("ref %s: %w", repoTag, err)
		}
		if err := remote.Write(ref, img); err != nil {
			return "", fmt.Errorf("push %s: %w", ref, err)
		}
		digest, err := img.Digest()
		if err != nil {
			return "", fmt.Errorf("digest of %s: %w", ref, err)
		}
		images.Digests[ref.String()] = ref.Context().Digest(digest.String()).String()
		return ref.String(), nil
	}

	stackLabels := map[string]string{"io.buildpacks.stack.id": stackID}
	build, err := image(layer, nil, stackLabels, []string{"CNB_USER_ID=" + cnbUserID, "CNB_GROUP_ID=" + cnbGroupID})
	if err != nil {
		return nil, fmt.Errorf("build image: %w", err)
	}
	if images.BuildImage, err = push("stack/build:1", build); err != nil {
		return nil, err
	}
	for _, tag := range []string{"1", "2"} {
		run, err := image(layer, nil, stackLabels, nil)
		if err != nil {
			return nil, fmt.Errorf("run image %s: %w", tag, err)
		}
		ref, err := push("stack/run:"+tag, run)
		if err != nil {
			return nil, err
		}
		images.RunImages = append(images.RunImages, ref)
	}

	lifecycle, err := lifecycleImage(layer, lifecycleVersion)
	if err != nil {
		return nil, fmt.Errorf("lifecycle image: %w", err)
	}
	if images.LifecycleImage, err = push("lifecycle:"+lifecycleVersion, lifecycle); err != nil {
		return nil, err
	}

	for _, version := range []string{"0.0.1", "0.0.2"} {
		bp, err := buildpackage(layer, buildpackID, version, stackID)
		if err != nil {
			return nil, fmt.Errorf("buildpackage %s@%s: %w", buildpackID, version, err)
		}
		if images.Buildpackages[version], err = push("buildpacks/go:"+version, bp); err != nil {
			return nil, err
		}
	}
	return images, nil
}

// image is one layer (the next random one when l is nil) on the empty image, for linux/amd64, with the
// given labels and env.
func image(layer func() (v1.Layer, error), l v1.Layer, labels map[string]string, env []string) (v1.Image, error) {
	if l == nil {
		var err error
		if l, err = layer(); err != nil {
			return nil, err
		}
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS = osName
	cfg.Architecture = arch
	cfg.Config.Labels = labels
	cfg.Config.Env = env
	return mutate.ConfigFile(img, cfg)
}

func jsonLabel(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// lifecycleImage declares its version and APIs as the lifecycle's own image does.
func lifecycleImage(layer func() (v1.Layer, error), version string) (v1.Image, error) {
	apis := map[string]map[string][]string{
		"buildpack": {"deprecated": {}, "supported": {"0.7", "0.8", "0.9", buildpackAPI}},
		"platform":  {"deprecated": {}, "supported": {"0.7", "0.8"}},
	}
	metadata := map[string]any{
		"lifecycle": map[string]string{"version": version},
		"api":       map[string]string{"buildpack": buildpackAPI, "platform": "0.8"},
		"apis":      apis,
	}
	metadataLabel, err := jsonLabel(metadata)
	if err != nil {
		return nil, err
	}
	apisLabel, err := jsonLabel(apis)
	if err != nil {
		return nil, err
	}
	return image(layer, nil, map[string]string{"io.buildpacks.builder.metadata": metadataLabel, "io.buildpacks.lifecycle.apis": apisLabel}, nil)
}

// buildpackage carries one buildpack version as its one layer, for the stack.
func buildpackage(layer func() (v1.Layer, error), id, version, stackID string) (v1.Image, error) {
	l, err := layer()
	if err != nil {
		return nil, err
	}
	diffID, err := l.DiffID()
	if err != nil {
		return nil, err
	}
	layersLabel, err := jsonLabel(map[string]map[string]any{id: {version: map[string]any{
		"api":         buildpackAPI,
		"layerDiffID": diffID.String(),
		"stacks":      []map[string]string{{"id": stackID}},
	}}})
	if err != nil {
		return nil, err
	}
	packageLabel, err := jsonLabel(map[string]string{"id": id, "version": version})
	if err != nil {
		return nil, err
	}
	return image(layer, l, map[string]string{"io.buildpacks.buildpack.layers": layersLabel, "io.buildpacks.buildpackage.metadata": packageLabel}, nil)
}
