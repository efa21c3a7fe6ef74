// Package docscheck keeps the Go code in docs/*.md and README.md compiling: every ```go
// block is put into a program (fragments inside a function that has ctx,
// client, topic and producer in scope) and built with the go command.
// Errors point at the Markdown lines, through //line directives. It also
// checks that the README's quickstart is examples/quickstart's code.
package docscheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// prelude opens every generated program: the imports the docs use, and
// helpers the snippets call but do not define.
const prelude = `package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

var (
	_ = context.Background
	_ = tls.VersionTLS12
	_ = x509.NewCertPool
	_ = json.Marshal
	_ = errors.Is
	_ = fmt.Sprint
	_ = log.Printf
	_ = os.Getenv
	_ = regexp.MustCompile
	_ = slices.Sort[[]int]
	_ = time.Second
	_ = testing.Short
	_ = kafkatest.Topic
)

func handle(kafka.Message)                 {}
func resize(context.Context, []byte) error { return nil }
func main()                                {}
`

// pluginPreludes open the programs of fragments that use a plugin module
// (a module of its own, so they are built inside its directory), keyed by
// the plugin's package name. A fragment belongs to a plugin when it calls
// into it ("kprom.").
var pluginPreludes = map[string]string{
	"kprom": `package main

import (
	"context"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/plugin/kprom"
	"github.com/prometheus/client_golang/prometheus"
)

var _ = prometheus.MustRegister

func main() {}

func snippet(ctx context.Context, hosts []string) error {
	var err error
	_ = kafka.Config{}
	_ = kprom.Config{}
`,
	"kotel": `package main

import (
	"context"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/plugin/kotel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

func main() {}

func snippet(ctx context.Context, hosts []string, mp metric.MeterProvider, tp trace.TracerProvider) error {
	var err error
	_ = kafka.Config{}
	_ = kotel.TracerConfig{}
`,
}

func TestDocsCompile(t *testing.T) {
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs found: %v", err)
	}
	docs = append(docs, "../../README.md")
	for _, doc := range docs {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			src, err := os.ReadFile(doc)
			if err != nil {
				t.Fatal(err)
			}
			var fragments strings.Builder
			fragments.WriteString(prelude)
			plugins := map[string]*strings.Builder{}
			programs := 0
			for i, m := range goBlock.FindAllSubmatchIndex(src, -1) {
				code := string(src[m[2]:m[3]])
				line := 1 + strings.Count(string(src[:m[2]]), "\n")
				pos := fmt.Sprintf("//line %s:%d\n", filepath.ToSlash(doc), line)
				first := strings.TrimSpace(code)
				if name := pluginOf(code); name != "" {
					b := plugins[name]
					if b == nil {
						b = new(strings.Builder)
						plugins[name] = b
						b.WriteString(pluginPreludes[name])
					}
					fmt.Fprintf(b, "\t{\n%s%s\n\t}\n", pos, code)
					continue
				}
				switch {
				case strings.HasPrefix(first, "package "):
					programs++
					build(t, ".", map[string]string{"main.go": pos + code})
				case strings.HasPrefix(first, "type ") || strings.HasPrefix(first, "func "):
					fmt.Fprintf(&fragments, "\n%s%s", pos, code)
				default:
					fmt.Fprintf(&fragments, "\nfunc snippet%d(ctx context.Context, client *kafka.Client, topic *kafka.Topic, producer *kafka.Producer) error {\n\tvar err error\n\t_, _, _, _ = ctx, client, topic, producer\n\t{\n%s%s\n\t}\n\treturn err\n}\n", i, pos, code)
				}
			}
			build(t, ".", map[string]string{"main.go": fragments.String()})
			for name, b := range plugins {
				b.WriteString("\treturn err\n}\n")
				build(t, filepath.Join("..", "..", "plugin", name), map[string]string{"main.go": b.String()})
			}
			t.Logf("%d blocks, %d whole programs", len(goBlock.FindAll(src, -1)), programs)
		})
	}
}

// build compiles files as a main package inside this module (a directory
// starting with "_" is invisible to ./... patterns) and fails t with every
// error but unused variables, which fragments of a larger program have.
func build(t *testing.T, module string, files map[string]string) {
	t.Helper()
	dir, err := os.MkdirTemp(module, "_gen")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-gcflags=-e", "-o", os.DevNull, "./"+filepath.Base(dir))
	cmd.Dir = module
	out, err := cmd.CombinedOutput()
	if err == nil {
		return
	}
	var problems []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// "go: downloading" is the go command fetching a plugin's
		// dependencies into an empty module cache, not a problem.
		if strings.HasPrefix(l, "#") || strings.HasPrefix(l, "go: downloading ") || strings.Contains(l, "declared and not used") {
			continue
		}
		problems = append(problems, l)
	}
	if len(problems) > 0 {
		t.Errorf("docs do not compile:\n%s", strings.Join(problems, "\n"))
	}
}

// pluginOf names the plugin module a fragment calls into, or "".
func pluginOf(code string) string {
	for name := range pluginPreludes {
		if strings.Contains(code, name+".") {
			return name
		}
	}
	return ""
}
